package dev.relay.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
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

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"2012-12-02T00:30:08.276Z", "2012-12-02T01:30:08.276+01:00", "2012-12-02t00:30:08z"})
  void readsRfc3339WithoutTheFormatter(String text) {
    assertNotNull(Iso8601.parseRfc3339(text));
  }

  /**
   * The RFC 3339 reader and the formatter read every text alike: the shapes the SDKs write, and each
   * of them with one character changed, removed, added or cut off at any position.
   */
  @Test
  void theRfc3339ReaderAgreesWithTheFormatterOnEveryTextTried() {
    List<String> seeds = List.of(
        "2012-12-02T00:30:08.276Z", "2012-12-02T01:30:08.276+01:00", "2012-12-02T02:00:08.276+0130",
        "2012-12-01T19:30:08.276-05", "2012-12-02T00:30:08.276123456+00:00", "2012-12-02T00:30:08-00:00",
        "2016-12-31T23:59:60Z", "2024-02-29T23:59:59.9Z", "0001-01-01T00:00:00+18:00", "9999-12-31T23:59:59-18:00",
        "2012-12-02T24:00:00Z", "2012-12-02t00:30z");
    String alphabet = "0123456789TtZz+-:. x";
    Set<String> texts = new LinkedHashSet<>(seeds);
    for (String seed : seeds) {
      for (int i = 0; i <= seed.length(); i++) {
        texts.add(seed.substring(0, i));
        if (i < seed.length()) {
          texts.add(seed.substring(0, i) + seed.substring(i + 1));
        }
        for (char c : alphabet.toCharArray()) {
          texts.add(seed.substring(0, i) + c + seed.substring(i));
          if (i < seed.length()) {
            texts.add(seed.substring(0, i) + c + seed.substring(i + 1));
          }
        }
      }
    }
    List<String> disagreements = new ArrayList<>();
    int readByRfc3339 = 0;
    for (String text : texts) {
      Instant fast = Iso8601.parseRfc3339(text);
      readByRfc3339 += fast == null ? 0 : 1;
      if (!Objects.equals(Iso8601.parse(text), Iso8601.parseAnyShape(text))) {
        disagreements.add(text + " -> " + Iso8601.parse(text) + " / " + Iso8601.parseAnyShape(text));
      }
    }
    assertEquals(List.of(), disagreements, "texts read differently, of " + texts.size());
    // The comparison means something only where the RFC 3339 reader answered.
    assertTrue(readByRfc3339 >= 500, "texts read by the RFC 3339 reader: " + readByRfc3339);
  }

  /** ITU writes what the formatter writes, for instants all over the years 0 to 9999 and past them. */
  @Test
  void theRfc3339WriterAgreesWithTheFormatter() {
    SplittableRandom random = new SplittableRandom(20261201);
    long first = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    long last = Instant.parse("+10001-01-01T00:00:00Z").getEpochSecond();
    List<Instant> instants = new ArrayList<>(List.of(
        Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
        Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("-0001-12-31T23:59:59Z"), Instant.EPOCH));
    for (int i = 0; i < 20_000; i++) {
      int nanos = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1000;
        default -> random.nextInt(1_000_000_000);
      };
      instants.add(Instant.ofEpochSecond(random.nextLong(first, last), nanos));
    }
    List<String> disagreements = new ArrayList<>();
    for (Instant instant : instants) {
      if (!Iso8601.format(instant).equals(Iso8601.formatAnyYear(instant))) {
        disagreements.add(Iso8601.format(instant) + " / " + Iso8601.formatAnyYear(instant));
      }
    }
    assertEquals(List.of(), disagreements);
  }
}
