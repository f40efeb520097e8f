package dev.relay.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalDouble;

/**
 * How fast a destination may be sent to: requests per second and, for types that batch, events per
 * second; either may be unlimited. Every type's settings take an optional {@code rateLimit}; a type
 * whose vendor documents a limit has it as its default.
 */
public record RateLimit(OptionalDouble requestsPerSecond, OptionalDouble eventsPerSecond) {

  public static final RateLimit NONE = new RateLimit(OptionalDouble.empty(), OptionalDouble.empty());

  /** At most {@code requests} requests per second. */
  public static RateLimit requestsPerSecond(double requests) {
    return new RateLimit(OptionalDouble.of(requests), OptionalDouble.empty());
  }

  /** The limit {@code settings} set, each part falling back to {@code defaults}. */
  public static RateLimit of(JsonNode settings, RateLimit defaults) {
    JsonNode limit = settings.path("rateLimit");
    return new RateLimit(
        limit.has("requestsPerSecond") ? OptionalDouble.of(limit.get("requestsPerSecond").asDouble()) : defaults.requestsPerSecond(),
        limit.has("eventsPerSecond") ? OptionalDouble.of(limit.get("eventsPerSecond").asDouble()) : defaults.eventsPerSecond());
  }

  /** {@code schema} (a type's settings schema) with the {@code rateLimit} property every type takes. */
  static ObjectNode withRateLimit(ObjectNode schema) {
    ObjectNode limit = ((ObjectNode) schema.path("properties")).putObject("rateLimit");
    limit.put("type", "object").put("additionalProperties", false);
    limit.put(
        "description",
        "Most requests (and, for batching, events) sent per second; more wait in the destination's queue."
            + " Without it Relay sends as fast as the destination takes, and slows down when it answers 429.");
    ObjectNode properties = limit.putObject("properties");
    for (String name : new String[] {"requestsPerSecond", "eventsPerSecond"}) {
      properties.putObject(name).put("type", "number").put("exclusiveMinimum", 0).put("maximum", 100_000);
    }
    return schema;
  }
}
