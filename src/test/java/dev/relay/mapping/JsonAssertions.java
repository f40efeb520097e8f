package dev.relay.mapping;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Comparator;

/** JSON helpers for tests: equality as JSON means it, so 15 equals 15.0. */
final class JsonAssertions {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Numbers by value; everything else by Jackson's own equality. */
  private static final Comparator<JsonNode> JSON_EQUALITY = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return Double.compare(a.doubleValue(), b.doubleValue()) == 0 ? 0 : 1;
    }
    return a.equals(b) ? 0 : 1;
  };

  private JsonAssertions() {}

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("bad JSON in test: " + text, e);
    }
  }

  static void assertJsonEquals(JsonNode expected, JsonNode actual) {
    if (!expected.equals(JSON_EQUALITY, actual)) {
      fail("expected " + expected + " but was " + actual);
    }
  }

  static void assertJsonEquals(String expected, JsonNode actual) {
    assertJsonEquals(json(expected), actual);
  }
}
