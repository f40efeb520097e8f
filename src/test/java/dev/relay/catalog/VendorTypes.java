package dev.relay.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.mapping.Mapping;
import dev.relay.mapping.MappingLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.IntStream;

/** Shorthands for the vendor types' tests: JSON from text, a default action's payload, readings. */
final class VendorTypes {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final MappingLimits LIMITS = new MappingLimits(4096, 32, 65536);

  /** A track event as Segment's libraries send it, after Relay's enrichment. */
  static final String TRACK =
      """
      {"type": "track", "event": "Order Completed", "userId": "u-1", "anonymousId": "a-1", "messageId": "m-1",
       "timestamp": "2026-11-01T10:00:00.000Z", "properties": {"revenue": 10, "currency": "EUR"},
       "context": {"ip": "203.0.113.7", "locale": "en-GB", "os": {"name": "iOS"}, "device": {"id": "dev-1"}}}
      """;

  static final String IDENTIFY =
      """
      {"type": "identify", "userId": "u-1", "anonymousId": "a-1", "messageId": "m-2",
       "timestamp": "2026-11-01T10:00:00.000Z", "traits": {"email": "ada@example.com", "firstName": "Ada", "plan": "pro"},
       "context": {"ip": "203.0.113.7"}}
      """;

  /** 2026-11-01T10:00:00Z in milliseconds since the epoch. */
  static final long TIME_MS = 1793527200000L;

  private VendorTypes() {}

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the type's default action {@code name} maps {@code event} to. */
  static JsonNode payload(DestinationType type, String name, String event) {
    ActionDefinition action =
        type.defaultActions().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
    return Mapping.compile(action.mapping(), LIMITS).apply(json(event));
  }

  static String actionType(DestinationType type, String name) {
    return type.defaultActions().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow().type();
  }

  /** The outcome of each of {@code count} payloads by the type's reading of the answer. */
  static List<Outcome> outcomes(DestinationType type, int status, String body, int count) {
    BatchReading reading = type.readBatchResponse(status, body, count);
    return IntStream.range(0, count).mapToObj(i -> reading.of(i, count)).toList();
  }
}
