package dev.relay.mapping;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One literal search-and-replace as mapping-kit does it: the pattern is escaped into a JavaScript
 * RegExp, so it matches literally, but the replacement keeps String.prototype.replace's
 * {@code $$}, {@code $&}, {@code $`} and {@code $'} substitutions.
 */
final class TextReplacement {
  private final String pattern;
  private final String replacement;
  private final boolean global;
  private final Pattern caseInsensitive; // null when matching case-sensitively
  private final boolean plainReplacement;

  TextReplacement(String pattern, String replacement, boolean ignoreCase, boolean global) {
    this.pattern = pattern;
    this.replacement = replacement;
    this.global = global;
    this.caseInsensitive = ignoreCase
        ? Pattern.compile(Pattern.quote(pattern), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
        : null;
    this.plainReplacement = replacement.indexOf('$') < 0;
  }

  String apply(String text) {
    StringBuilder out = null;
    int copied = 0;
    int searchFrom = 0;
    Matcher matcher = caseInsensitive == null ? null : caseInsensitive.matcher(text);
    while (true) {
      int start;
      int end;
      if (matcher == null) {
        start = text.indexOf(pattern, searchFrom);
        end = start + pattern.length();
      } else {
        start = matcher.find(searchFrom) ? matcher.start() : -1;
        end = start < 0 ? -1 : matcher.end();
      }
      if (start < 0) {
        break;
      }
      if (out == null) {
        out = new StringBuilder(text.length() + 16);
      }
      out.append(text, copied, start);
      appendReplacement(out, text, start, end);
      copied = end;
      searchFrom = end;
      if (!global) {
        break;
      }
    }
    if (out == null) {
      return text;
    }
    return out.append(text, copied, text.length()).toString();
  }

  private void appendReplacement(StringBuilder out, String text, int start, int end) {
    if (plainReplacement) {
      out.append(replacement);
      return;
    }
    for (int i = 0; i < replacement.length(); i++) {
      char c = replacement.charAt(i);
      char next = i + 1 < replacement.length() ? replacement.charAt(i + 1) : 0;
      if (c != '$' || "$&`'".indexOf(next) < 0) {
        out.append(c);
        continue;
      }
      switch (next) {
        case '$' -> out.append('$');
        case '&' -> out.append(text, start, end);
        case '`' -> out.append(text, 0, start);
        default -> out.append(text, end, text.length());
      }
      i++;
    }
  }
}
