package dev.relay.mapping;

import dev.relay.mapping.TriggerToken.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits FQL into tokens. Field paths ({@code properties.order_id}) are one token; a segment may
 * hold letters, digits, {@code _} and {@code -}, and any other character escaped with a backslash
 * (as Segment's generator writes {@code properties.my\ key}). Strings are double-quoted with JSON's
 * escapes.
 */
final class TriggerLexer {
  private final String text;
  private int at;

  private TriggerLexer(String text) {
    this.text = text;
  }

  static List<TriggerToken> tokens(String text) {
    return new TriggerLexer(text).run();
  }

  private List<TriggerToken> run() {
    List<TriggerToken> tokens = new ArrayList<>();
    while (true) {
      while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
        at++;
      }
      if (at >= text.length()) {
        tokens.add(TriggerToken.of(Kind.END, "", at));
        return tokens;
      }
      tokens.add(next());
    }
  }

  private TriggerToken next() {
    int start = at;
    char c = text.charAt(at);
    switch (c) {
      case '(' -> { at++; return TriggerToken.of(Kind.LEFT_PAREN, "(", start); }
      case ')' -> { at++; return TriggerToken.of(Kind.RIGHT_PAREN, ")", start); }
      case ',' -> { at++; return TriggerToken.of(Kind.COMMA, ",", start); }
      case '=' -> { at++; return TriggerToken.of(Kind.EQ, "=", start); }
      case '!' -> {
        at++;
        return accept('=') ? TriggerToken.of(Kind.NE, "!=", start) : TriggerToken.of(Kind.BANG, "!", start);
      }
      case '<' -> {
        at++;
        return accept('=') ? TriggerToken.of(Kind.LE, "<=", start) : TriggerToken.of(Kind.LT, "<", start);
      }
      case '>' -> {
        at++;
        return accept('=') ? TriggerToken.of(Kind.GE, ">=", start) : TriggerToken.of(Kind.GT, ">", start);
      }
      case '"' -> { return string(); }
      case '\'' -> throw new TriggerException(start, "strings are written in double quotes (\"...\")");
      default -> { }
    }
    if (isDigit(c) || ((c == '-' || c == '+') && at + 1 < text.length() && isDigit(text.charAt(at + 1)))) {
      return number();
    }
    if (isLetter(c) || c == '_' || c == '\\') {
      return field();
    }
    throw new TriggerException(start, "unexpected character '" + c + "'");
  }

  private boolean accept(char c) {
    if (at < text.length() && text.charAt(at) == c) {
      at++;
      return true;
    }
    return false;
  }

  private TriggerToken number() {
    int start = at;
    at++; // sign or first digit
    digits();
    if (at < text.length() && text.charAt(at) == '.') {
      int point = at++;
      if (digits() == 0) {
        throw new TriggerException(point, "expected a digit after the decimal point");
      }
    }
    if (at < text.length() && (isFieldChar(text.charAt(at)) || text.charAt(at) == '.')) {
      throw new TriggerException(at, "unexpected character '" + text.charAt(at) + "' in a number");
    }
    return TriggerToken.of(Kind.NUMBER, text.substring(start, at), start);
  }

  private int digits() {
    int count = 0;
    while (at < text.length() && isDigit(text.charAt(at))) {
      at++;
      count++;
    }
    return count;
  }

  private TriggerToken string() {
    int start = at;
    at++; // opening quote
    StringBuilder value = new StringBuilder();
    while (true) {
      if (at >= text.length()) {
        throw new TriggerException(start, "unterminated string");
      }
      char c = text.charAt(at++);
      if (c == '"') {
        return TriggerToken.of(Kind.STRING, value.toString(), start);
      }
      if (c != '\\') {
        value.append(c);
        continue;
      }
      if (at >= text.length()) {
        throw new TriggerException(start, "unterminated string");
      }
      char escaped = text.charAt(at++);
      switch (escaped) {
        case '"', '\\', '/' -> value.append(escaped);
        case 'b' -> value.append('\b');
        case 'f' -> value.append('\f');
        case 'n' -> value.append('\n');
        case 'r' -> value.append('\r');
        case 't' -> value.append('\t');
        case 'u' -> value.append(unicodeEscape());
        default -> throw new TriggerException(at - 2, "unknown escape \\" + escaped + " in a string");
      }
    }
  }

  private char unicodeEscape() {
    int start = at - 2;
    if (at + 4 > text.length()) {
      throw new TriggerException(start, "\\u must be followed by four hex digits");
    }
    try {
      char c = (char) Integer.parseInt(text.substring(at, at + 4), 16);
      at += 4;
      return c;
    } catch (NumberFormatException e) {
      throw new TriggerException(start, "\\u must be followed by four hex digits");
    }
  }

  /** A dotted field path, or a keyword (and, or, true, false, null) when written plainly. */
  private TriggerToken field() {
    int start = at;
    List<String> segments = new ArrayList<>();
    boolean escaped = false;
    while (true) {
      StringBuilder segment = new StringBuilder();
      while (at < text.length() && (isFieldChar(text.charAt(at)) || text.charAt(at) == '\\')) {
        char c = text.charAt(at++);
        if (c == '\\') {
          if (at >= text.length()) {
            throw new TriggerException(at - 1, "expected a character after '\\'");
          }
          c = text.charAt(at++);
          escaped = true;
        }
        segment.append(c);
      }
      if (segment.length() == 0) {
        throw new TriggerException(at, "expected a field name after '.'");
      }
      segments.add(segment.toString());
      if (at < text.length() && text.charAt(at) == '.') {
        at++;
        continue;
      }
      break;
    }
    String raw = text.substring(start, at);
    if (!escaped && segments.size() == 1) {
      Kind keyword = switch (raw) {
        case "and" -> Kind.AND;
        case "or" -> Kind.OR;
        case "true" -> Kind.TRUE;
        case "false" -> Kind.FALSE;
        case "null" -> Kind.NULL;
        default -> null;
      };
      if (keyword != null) {
        return TriggerToken.of(keyword, raw, start);
      }
    }
    return new TriggerToken(Kind.FIELD, raw, List.copyOf(segments), start);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isFieldChar(char c) {
    return isLetter(c) || isDigit(c) || c == '_' || c == '-';
  }
}
