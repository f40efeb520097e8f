package dev.relay.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The log message with control characters escaped (as {@code \n}, {@code \r}, {@code \t}, or a
 * backslash, {@code u} and four hex digits), so that client input quoted in a message cannot start a forged log line
 * or hide text from a terminal. Used for the message in logback.xml; stack traces are not messages
 * and keep their lines.
 */
public final class EscapedMessageConverter extends ClassicConverter {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  @Override
  public String convert(ILoggingEvent event) {
    return escape(event.getFormattedMessage());
  }

  /** {@code text} with C0 and C1 controls, DEL and the Unicode line separators escaped. */
  public static String escape(String text) {
    if (text == null) {
      return null;
    }
    int first = 0;
    while (first < text.length() && !needsEscape(text.charAt(first))) {
      first++;
    }
    if (first == text.length()) {
      return text; // the usual case: nothing to copy
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (needsEscape(c)) {
            out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF])
                .append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  private static boolean needsEscape(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }
}
