package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a trigger tests one field's value, following Segment's destination-subscriptions
 * {@code validateValue}. {@code actual} is {@code null} when the field is missing (undefined).
 */
sealed interface ValueTest {
  boolean test(JsonNode actual);

  /** {@code field != null} (exists) and {@code field = null} (missing or null). */
  record Exists(boolean present) implements ValueTest {
    @Override
    public boolean test(JsonNode actual) {
      return present == (actual != null && !actual.isNull());
    }
  }

  /** {@code field = true} / {@code = false}: the boolean itself, not the string "true". */
  record IsBoolean(boolean expected) implements ValueTest {
    @Override
    public boolean test(JsonNode actual) {
      return actual != null && actual.isBoolean() && actual.booleanValue() == expected;
    }
  }

  /** {@code =} and {@code !=} against a string: equal only to a string value with that text. */
  record StringEquals(String expected, boolean negated) implements ValueTest {
    @Override
    public boolean test(JsonNode actual) {
      boolean equal = actual != null && actual.isTextual() && actual.textValue().equals(expected);
      return equal != negated;
    }
  }

  /**
   * {@code =} and {@code !=} against a number: only a number value qualifies, either way (Segment's
   * {@code number_equals} and {@code number_not_equals}), so {@code != 5} is false for "5" or no value.
   */
  record NumberEquals(double expected, boolean negated) implements ValueTest {
    @Override
    public boolean test(JsonNode actual) {
      return actual != null && actual.isNumber() && (actual.doubleValue() == expected) != negated;
    }
  }

  /** {@code < <= > >=}: only a number value compares, with the literal as JavaScript's Number(). */
  record NumberCompare(TriggerToken.Kind operator, double expected) implements ValueTest {
    @Override
    public boolean test(JsonNode actual) {
      if (actual == null || !actual.isNumber()) {
        return false;
      }
      double value = actual.doubleValue();
      return switch (operator) {
        case LT -> value < expected;
        case LE -> value <= expected;
        case GT -> value > expected;
        case GE -> value >= expected;
        default -> false;
      };
    }
  }

  /** {@code contains(field, "s")} and {@code !contains(...)}: only string values qualify, either way. */
  record Contains(String needle, boolean negated) implements ValueTest {
    @Override
    public boolean test(JsonNode actual) {
      return actual != null && actual.isTextual() && actual.textValue().contains(needle) != negated;
    }
  }

  /** {@code match(field, "glob")} and {@code !match(...)}: {@code *} any run, {@code ?} one character. */
  record Matches(Glob glob, boolean negated) implements ValueTest {
    @Override
    public boolean test(JsonNode actual) {
      return actual != null && actual.isTextual() && glob.matches(actual.textValue()) != negated;
    }
  }
}
