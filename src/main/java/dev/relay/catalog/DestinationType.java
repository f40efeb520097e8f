package dev.relay.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A kind of destination (webhook, Customer.io, Mixpanel, ...): what its settings look like, which
 * actions it starts with, how one action's mapped payloads become an HTTP request and how to read
 * the answer. Implementations are pure: no I/O, no Pekko.
 */
public interface DestinationType {

  /** The type's id in the API, e.g. {@code webhook}. */
  String type();

  /** Its name for people. */
  String name();

  /**
   * JSON Schema of the settings. Secret values (API keys, auth headers) are marked {@code
   * "writeOnly": true}: they are masked in every response and redacted from recorded requests.
   */
  ObjectNode settingsSchema();

  List<ActionDefinition> defaultActions();

  /** How many payloads of one action may go in one request with these settings. */
  default int batchSize(JsonNode settings) {
    return 1;
  }

  /**
   * The URLs requests with these settings go to, checked when the settings are saved (no user
   * information; no IP address the node may not connect to).
   */
  default List<String> endpoints(JsonNode settings) {
    return List.of();
  }

  /**
   * Why settings that fit the schema still cannot be sent (e.g. a header the HTTP client must not
   * be given); empty when they can.
   */
  default Optional<String> settingsProblem(JsonNode settings) {
    return Optional.empty();
  }

  /**
   * The values to redact wherever a request with these settings is recorded: the secrets of the
   * schema ({@link Settings#secretValues}), and whatever part of them the type sends on its own.
   */
  default List<String> secretValues(JsonNode settings) {
    return Settings.secretValues(settingsSchema(), settings);
  }

  /** How fast these settings allow sending: their {@code rateLimit}, else the vendor's documented one. */
  default RateLimit rateLimit(JsonNode settings) {
    return RateLimit.of(settings, RateLimit.NONE);
  }

  /** How long to wait for the destination's answer. */
  Duration timeout(JsonNode settings);

  /**
   * The request delivering {@code payloads} (each the result of the action's mapping on one event),
   * never more than {@link #batchSize} of them.
   */
  OutgoingRequest buildRequest(JsonNode settings, String actionType, List<JsonNode> payloads);

  /**
   * The largest request body, in bytes of UTF-8, the vendor documents; a larger batch is split
   * before it is sent (see {@link BatchReading#tooLarge}).
   */
  default int maxRequestBytes(JsonNode settings, String actionType) {
    return Integer.MAX_VALUE;
  }

  /** What the destination's answer means for the payloads of the request. */
  default Outcome readResponse(int status, String body) {
    return Outcome.ofStatus(status);
  }

  /**
   * What the answer means for each of the {@code count} payloads of the request. By default one
   * verdict ({@link #readResponse}) for all, but a 413 (Content Too Large) on a batch, which splits
   * it; a type whose vendor reports failures per event overrides this.
   */
  default BatchReading readBatchResponse(int status, String body, int count) {
    if (status == 413 && count > 1) {
      return BatchReading.tooLarge();
    }
    return BatchReading.all(readResponse(status, body));
  }
}
