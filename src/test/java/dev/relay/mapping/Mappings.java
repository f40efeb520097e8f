package dev.relay.mapping;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;

/** Shorthands for mapping tests: mappings and events written as JSON text. */
final class Mappings {
  /** The track event most tests read from. */
  static final String ORDER = """
      {"type": "track", "event": "Order Completed", "userId": "u-1", "anonymousId": "a-1",
       "properties": {"order_id": "o-9", "revenue": 129.5, "quantity": 15, "currency": "eur",
                      "coupon": null, "gift": false, "count": 0, "empty": "", "tags": ["home", "light"],
                      "products": [{"sku": "A-1", "price": 99.5}, {"sku": "B-2", "price": 15}],
                      "address": {"city": "London", "country": "UK"}},
       "context": {"ip": "203.0.113.7", "traits": {"email": "Ada@Example.com"}}}
      """;

  /** The defaults of application.conf's relay.mapping. */
  static final MappingLimits LIMITS = new MappingLimits(4096, 32, 65536);

  private Mappings() {}

  static JsonNode apply(String mapping, String event) {
    return Mapping.compile(JsonAssertions.json(mapping), LIMITS).apply(JsonAssertions.json(event));
  }

  static JsonNode apply(String mapping) {
    return apply(mapping, ORDER);
  }

  /** Asserts compiling fails, with the message naming {@code path} and containing {@code words}. */
  static MappingException rejects(String mapping, String path, String words) {
    MappingException error =
        assertThrows(MappingException.class, () -> Mapping.compile(JsonAssertions.json(mapping), LIMITS));
    assertTrue(error.path().equals(path), "path " + error.path() + " should be " + path);
    assertTrue(error.getMessage().contains(words), "message: " + error.getMessage());
    assertTrue(error.getMessage().startsWith(path + ": "), "message names the path: " + error.getMessage());
    return error;
  }
}
