package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/** A compiled trigger: a tree of and/or groups over tests of single fields. */
sealed interface Condition {
  boolean test(JsonNode event);

  record AllOf(Condition[] parts) implements Condition {
    @Override
    public boolean test(JsonNode event) {
      for (Condition part : parts) {
        if (!part.test(event)) {
          return false;
        }
      }
      return true;
    }
  }

  record AnyOf(Condition[] parts) implements Condition {
    @Override
    public boolean test(JsonNode event) {
      for (Condition part : parts) {
        if (part.test(event)) {
          return true;
        }
      }
      return false;
    }
  }

  /** One field of the event ({@code event}, {@code properties.revenue}, …) and how to test it. */
  record FieldTest(EventField field, ValueTest test) implements Condition {
    @Override
    public boolean test(JsonNode event) {
      return test.test(field.read(event));
    }
  }
}
