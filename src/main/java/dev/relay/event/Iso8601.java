package dev.relay.event;

import com.ethlo.time.ITU;
import java.text.ParsePosition;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/** The Segment spec's ISO-8601 date-times: read as SDKs write them, written as UTC with millis. */
final class Iso8601 {

  // SDKs differ: analytics.js and analytics-java write 2024-05-01T12:00:00.123Z, Python and PHP
  // +00:00, some +0000 or +01; a date-time without an offset is UTC, as the spec says all are.
  private static final DateTimeFormatter READ =
      new DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
          .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
          .optionalStart().appendOffset("+HH:mm", "Z").optionalEnd()
          .toFormatter()
          .withChronology(IsoChronology.INSTANCE)
          .withResolverStyle(ResolverStyle.STRICT);

  private static final DateTimeFormatter WRITE =
      new DateTimeFormatterBuilder().appendInstant(3).toFormatter();

  private Iso8601() {}

  /**
   * The instant the text names, or null if it is not an ISO-8601 date-time with a year from 1 to
   * 9999 (the bound keeps clock-skew arithmetic far inside {@link Instant}'s range).
   */
  static Instant parse(String text) {
    Instant rfc3339 = parseRfc3339(text);
    return rfc3339 != null ? rfc3339 : parseAnyShape(text);
  }

  /**
   * The shape nearly every SDK writes, RFC 3339 ({@code 2024-05-01T12:00:00.123Z}, {@code +00:00}),
   * read by ITU: java.time's formatter took 5 % of the node's CPU at ingest. Null for what ITU refuses
   * and for what it reads that the formatter does not (a space for the T, text after the offset, any
   * character between an offset's hours and minutes, year 0): {@link #parseAnyShape} decides those, so
   * both read every text alike (Iso8601Test proves it).
   */
  static Instant parseRfc3339(String text) {
    int length = text.length();
    if (length < 20 || (text.charAt(10) != 'T' && text.charAt(10) != 't')) {
      return null;
    }
    char last = text.charAt(length - 1);
    boolean utc = last == 'Z' || last == 'z';
    boolean offset = (text.charAt(length - 6) == '+' || text.charAt(length - 6) == '-') && text.charAt(length - 3) == ':';
    if (!utc && !offset) {
      return null;
    }
    ParsePosition position = new ParsePosition(0);
    try {
      OffsetDateTime parsed = ITU.parseDateTime(text, position);
      return position.getIndex() == length && parsed.getYear() >= 1 ? parsed.toInstant() : null;
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** Every shape the SDKs write, read by java.time's formatter (see READ). */
  static Instant parseAnyShape(String text) {
    try {
      TemporalAccessor parsed = READ.parse(text);
      LocalDateTime local = LocalDateTime.from(parsed);
      if (local.getYear() < 1 || local.getYear() > 9999) {
        return null;
      }
      ZoneOffset offset =
          parsed.isSupported(ChronoField.OFFSET_SECONDS)
              ? ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS))
              : ZoneOffset.UTC;
      return local.toInstant(offset);
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** For example {@code 2024-05-01T12:00:00.000Z}: always UTC, always three fraction digits. */
  static String format(Instant instant) {
    OffsetDateTime utc = instant.atOffset(ZoneOffset.UTC);
    // ITU writes years of four digits only; the formatter the others (+10000-..., -0001-...).
    return utc.getYear() >= 0 && utc.getYear() <= 9999 ? ITU.formatUtcMilli(utc) : formatAnyYear(instant);
  }

  /** Every instant as {@link #format} writes it, by java.time's formatter (see WRITE). */
  static String formatAnyYear(Instant instant) {
    return WRITE.format(instant);
  }
}
