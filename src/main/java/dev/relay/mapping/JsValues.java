package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * JavaScript's implicit conversions over JSON values, which Segment's mapping-kit and trigger
 * evaluator rely on everywhere ({@code String(x)}, {@code Number(x)}, truthiness, {@code x == ''}).
 * A Java {@code null} stands for JavaScript's {@code undefined}.
 */
final class JsValues {
  private JsValues() {}

  /** JavaScript truthiness: false, 0, NaN, "", null and undefined are falsy. */
  static boolean isTruthy(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return false;
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isNumber()) {
      double number = value.doubleValue();
      return number != 0 && !Double.isNaN(number);
    }
    if (value.isTextual()) {
      return !value.textValue().isEmpty();
    }
    return true;
  }

  /** The type name Segment's error messages use (its realTypeOf). */
  static String typeName(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "undefined";
    }
    return switch (value.getNodeType()) {
      case STRING -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      case NULL -> "null";
      case ARRAY -> "array";
      default -> "object";
    };
  }

  /** JavaScript's {@code String(value)}. */
  static String toJsString(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "undefined";
    }
    if (value.isTextual()) {
      return value.textValue();
    }
    if (value.isNull()) {
      return "null";
    }
    if (value.isBoolean()) {
      return value.booleanValue() ? "true" : "false";
    }
    if (value.isNumber()) {
      return JsNumbers.format(value.doubleValue());
    }
    if (value.isArray()) {
      return joinArray(value);
    }
    return "[object Object]";
  }

  /** {@code Array.prototype.join(",")}: null and undefined elements become empty strings. */
  static String joinArray(JsonNode array) {
    StringBuilder joined = new StringBuilder();
    for (int i = 0; i < array.size(); i++) {
      if (i > 0) {
        joined.append(',');
      }
      JsonNode element = array.get(i);
      if (!element.isNull()) {
        joined.append(toJsString(element));
      }
    }
    return joined.toString();
  }

  /** JavaScript's {@code Number(value)}. */
  static double toNumber(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return Double.NaN;
    }
    if (value.isNumber()) {
      return value.doubleValue();
    }
    if (value.isNull()) {
      return 0;
    }
    if (value.isBoolean()) {
      return value.booleanValue() ? 1 : 0;
    }
    if (value.isTextual()) {
      return stringToNumber(value.textValue());
    }
    if (value.isArray()) {
      return stringToNumber(joinArray(value));
    }
    return Double.NaN;
  }

  /** ECMAScript StringToNumber: trimmed decimal, hex/octal/binary literals, Infinity; else NaN. */
  static double stringToNumber(String text) {
    String s = trim(text);
    if (s.isEmpty()) {
      return 0;
    }
    if (s.length() > 2 && s.charAt(0) == '0') {
      int radix = switch (s.charAt(1)) {
        case 'x', 'X' -> 16;
        case 'o', 'O' -> 8;
        case 'b', 'B' -> 2;
        default -> 0;
      };
      if (radix != 0) {
        return parseRadix(s.substring(2), radix);
      }
    }
    String unsigned = s.charAt(0) == '+' || s.charAt(0) == '-' ? s.substring(1) : s;
    if (unsigned.equals("Infinity")) {
      return s.charAt(0) == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (!isDecimalLiteral(unsigned)) {
      return Double.NaN;
    }
    return Double.parseDouble(s);
  }

  private static double parseRadix(String digits, int radix) {
    double result = 0;
    for (int i = 0; i < digits.length(); i++) {
      int digit = Character.digit(digits.charAt(i), radix);
      if (digit < 0) {
        return Double.NaN;
      }
      result = result * radix + digit;
    }
    return result;
  }

  /** digits [. digits] [e[+-]digits], or . digits [...]; Java's parseDouble accepts more (e.g. "1d"). */
  private static boolean isDecimalLiteral(String s) {
    int i = 0;
    int n = s.length();
    int intDigits = 0;
    while (i < n && isDigit(s.charAt(i))) {
      i++;
      intDigits++;
    }
    int fractionDigits = 0;
    if (i < n && s.charAt(i) == '.') {
      i++;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
        fractionDigits++;
      }
    }
    if (intDigits == 0 && fractionDigits == 0) {
      return false;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int exponentDigits = 0;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
        exponentDigits++;
      }
      if (exponentDigits == 0) {
        return false;
      }
    }
    return i == n;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** {@code value == ''} with JavaScript's loose equality, as mapping-kit's {@code @if blank} uses it. */
  static boolean looselyEqualsEmptyString(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return false;
    }
    if (value.isTextual()) {
      return value.textValue().isEmpty();
    }
    if (value.isNumber()) {
      return value.doubleValue() == 0;
    }
    if (value.isBoolean()) {
      return !value.booleanValue();
    }
    if (value.isArray()) {
      return joinArray(value).isEmpty();
    }
    return false;
  }

  /** {@code String.prototype.trim}: JavaScript's whitespace and line terminators. */
  static String trim(String text) {
    int start = 0;
    int end = text.length();
    while (start < end && isJsWhitespace(text.charAt(start))) {
      start++;
    }
    while (end > start && isJsWhitespace(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(start, end);
  }

  private static boolean isJsWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\u000B' || c == '\f'
        || c == '\u00A0' || c == '\uFEFF' || c == '\u2028' || c == '\u2029'
        || Character.getType(c) == Character.SPACE_SEPARATOR;
  }
}
