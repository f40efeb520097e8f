package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Numbers the way JavaScript has them: every number is a double, printed by Number#toString.
 * Segment's engine runs on JavaScript, so a number rendered into a template or a JSON string must
 * read exactly as it would there (15, not 15.0; 1e+21, not 1.0E21).
 */
final class JsNumbers {
  /** Integral doubles below this print as plain longs; above it JS still prints digits, handled below. */
  private static final double PLAIN_LONG_LIMIT = 9.0e15;

  private JsNumbers() {}

  /** JavaScript's {@code String(number)}. */
  static String format(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "Infinity" : "-Infinity";
    }
    if (value == 0) {
      return "0"; // also -0, as JS prints it
    }
    if (value == Math.rint(value) && Math.abs(value) < PLAIN_LONG_LIMIT) {
      return Long.toString((long) value);
    }
    return value < 0 ? "-" + formatPositive(-value) : formatPositive(value);
  }

  /** Lays out the shortest round-trip digits as ECMAScript's Number::toString does. */
  private static String formatPositive(double value) {
    String java = Double.toString(value);
    if (java.indexOf('E') < 0 && significantDigits(java) <= 15) {
      return java; // 0.001 to 1e7, already shortest: Java and JavaScript lay it out alike
    }
    BigDecimal shortest = shortestDigits(java, value);
    String digits = shortest.unscaledValue().toString();
    int k = digits.length();
    int n = k - shortest.scale(); // value = 0.digits × 10^n
    StringBuilder out = new StringBuilder(k + 8);
    if (k <= n && n <= 21) {
      out.append(digits);
      out.append("0".repeat(n - k));
    } else if (0 < n && n <= 21) {
      out.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      out.append("0.").append("0".repeat(-n)).append(digits);
    } else {
      int exponent = n - 1;
      out.append(digits.charAt(0));
      if (k > 1) {
        out.append('.').append(digits, 1, k);
      }
      out.append('e').append(exponent < 0 ? '-' : '+').append(Math.abs(exponent));
    }
    return out.toString();
  }

  /**
   * Java 17's Double.toString sometimes prints more digits than needed (4.9E-324 for 5e-324,
   * 17+ digit forms; fixed in JDK 19), so such outputs are shortened while they still read back as
   * the same double.
   */
  private static BigDecimal shortestDigits(String java, double value) {
    BigDecimal digits = new BigDecimal(java).stripTrailingZeros();
    while (digits.precision() > 1) {
      BigDecimal shorter = digits.round(new MathContext(digits.precision() - 1, RoundingMode.HALF_EVEN));
      if (shorter.doubleValue() != value) {
        break;
      }
      digits = shorter.stripTrailingZeros();
    }
    return digits;
  }

  private static int significantDigits(String plain) {
    int count = 0;
    boolean leading = true;
    for (int i = 0; i < plain.length(); i++) {
      char c = plain.charAt(i);
      if (c >= '1' && c <= '9' || (c == '0' && !leading)) {
        count++;
        leading = false;
      }
    }
    return count;
  }

  /**
   * A number node as JavaScript would hold it: integral doubles become integers, so that Jackson
   * later writes {@code 1} where Segment writes {@code 1}, not {@code 1.0}.
   */
  static JsonNode normalize(JsonNode number) {
    if (!number.isFloatingPointNumber() && !number.isBigInteger()) {
      return number;
    }
    double value = number.doubleValue();
    if (value != Math.rint(value) || Math.abs(value) >= PLAIN_LONG_LIMIT) {
      return number;
    }
    long whole = (long) value;
    return whole == (int) whole ? IntNode.valueOf((int) whole) : LongNode.valueOf(whole);
  }
}
