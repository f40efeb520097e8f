package dev.relay.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class Iso8601Test {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "2012-12-02T00:30:08.276Z,        2012-12-02T00:30:08.276Z",
    "2012-12-02T01:30:08.276+01:00,   2012-12-02T00:30:08.276Z",
    "2012-12-02T02:00:08.276+0130,    2012-12-02T00:30:08.276Z",
    "2012-12-01T19:30:08.276-05,      2012-12-02T00:30:08.276Z",
    "2012-12-02T00:30:08.276,         2012-12-02T00:30:08.276Z",
    "2012-12-02T00:30:08.276123+00:00,2012-12-02T00:30:08.276123Z",
    "2012-12-02T00:30:08Z,            2012-12-02T00:30:08Z",
    "2012-12-02T00:30Z,               2012-12-02T00:30:00Z",
    "2012-12-02t00:30:08.276z,        2012-12-02T00:30:08.276Z",
  })
  void readsTheDateTimesThatSegmentSdksWrite(String text, String instant) {
    assertEquals(Instant.parse(instant), Iso8601.parse(text));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {
    "", "yesterday", "2012-12-02", "2012-12-02 00:30:08Z", "2015-2-02T00:30:08.276Z",
    "2024-02-30T00:00:00Z", "2012-12-02T25:00:00Z", "1354408208276", "+12345-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z", "2012-12-02T00:30:08Zjunk"
  })
  void refusesWhatIsNotAnIso8601DateTimeWithAFourDigitYear(String text) {
    assertNull(Iso8601.parse(text));
  }

  @Test
  void writesUtcWithExactlyThreeFractionDigits() {
    assertEquals("2012-12-02T00:30:08.000Z", Iso8601.format(Instant.parse("2012-12-02T00:30:08Z")));
    assertEquals(
        "2012-12-02T00:30:08.276Z", Iso8601.format(Instant.parse("2012-12-02T00:30:08.276999Z")));
  }
}
