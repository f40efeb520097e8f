package dev.relay.readside;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Times in and out of the journal API: ISO-8601, written in UTC with milliseconds. */
final class UtcTimes {

  private static final DateTimeFormatter WRITE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private UtcTimes() {}

  static String format(long epochMillis) {
    return WRITE.format(Instant.ofEpochMilli(epochMillis));
  }

  static String formatOrNull(Long epochMillis) {
    return epochMillis == null ? null : format(epochMillis);
  }

  /** An ISO-8601 date-time with an offset ({@code Z} or {@code +02:00}); null when it is not one. */
  static Instant parseOrNull(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
