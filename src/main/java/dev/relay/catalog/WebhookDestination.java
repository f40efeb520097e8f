package dev.relay.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sends each event (or a batch of them) as JSON to a URL of the customer's choice. Settings: {@code
 * url}, {@code method} (POST, PUT or PATCH), {@code headers} (their values are secrets), {@code
 * batchSize} (above 1 the body is {@code {"batch": [...]}}), {@code timeoutMs}, and {@code
 * signingSecret}: with it each request is signed by the Standard Webhooks specification.
 */
public final class WebhookDestination extends CatalogType {

  static final String ALL_EVENT_TYPES =
      "type = \"track\" or type = \"identify\" or type = \"page\" or type = \"screen\""
          + " or type = \"group\" or type = \"alias\"";

  private final ObjectMapper mapper;
  private final Clock clock;

  public WebhookDestination(ObjectMapper mapper) {
    this(mapper, Clock.systemUTC());
  }

  /** @param clock the time of {@code webhook-timestamp} */
  public WebhookDestination(ObjectMapper mapper, Clock clock) {
    super("webhook", "Webhook", read(mapper, SCHEMA), defaultActions(mapper));
    this.mapper = mapper;
    this.clock = clock;
  }

  private static List<ActionDefinition> defaultActions(ObjectMapper mapper) {
    return List.of(new ActionDefinition("Send", "send", ALL_EVENT_TYPES, read(mapper, "{\"@path\": \"$.\"}")));
  }

  private static final String SCHEMA =
      """
      {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["url"],
        "additionalProperties": false,
        "properties": {
          "url": {"type": "string", "format": "uri", "pattern": "^https?://[^\\\\s]+$",
                  "description": "Where to send the events (http or https). Credentials go in headers, not in the URL; query values are masked in responses."},
          "method": {"enum": ["POST", "PUT", "PATCH"], "default": "POST", "description": "HTTP method."},
          "headers": {"type": "object", "additionalProperties": {"type": "string"}, "writeOnly": true,
                      "description": "Headers sent with every request, e.g. Authorization. Their values are secret."},
          "batchSize": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1,
                        "description": "Events per request; above 1 the body is {\\"batch\\": [...]}."},
          "timeoutMs": {"type": "integer", "minimum": 100, "maximum": 120000, "default": 10000,
                        "description": "How long to wait for the answer, in milliseconds."},
          "signingSecret": {"type": "string", "pattern": "^(whsec_)?[A-Za-z0-9+/]+={0,2}$", "writeOnly": true,
                            "description": "Signs each request by the Standard Webhooks specification (webhook-id, webhook-timestamp, webhook-signature): whsec_ followed by the base64 of 24 to 64 random bytes."}
        }
      }
      """;

  @Override
  public int batchSize(JsonNode settings) {
    return settings.path("batchSize").asInt(1);
  }

  @Override
  public List<String> endpoints(JsonNode settings) {
    return settings.path("url").isTextual() ? List.of(settings.path("url").asText()) : List.of();
  }

  @Override
  public Optional<String> settingsProblem(JsonNode settings) {
    if (settings.path("signingSecret").isTextual()) {
      Optional<String> secret = StandardWebhooks.problem(settings.path("signingSecret").asText());
      if (secret.isPresent()) {
        return secret.map(p -> "signingSecret: " + p);
      }
    }
    Iterator<Map.Entry<String, JsonNode>> headers = settings.path("headers").fields();
    while (headers.hasNext()) {
      Map.Entry<String, JsonNode> header = headers.next();
      Optional<String> problem = HeaderRules.problem(header.getKey(), header.getValue().asText());
      if (problem.isPresent()) {
        return problem.map(p -> "headers: " + p);
      }
    }
    return Optional.empty();
  }

  @Override
  public Duration timeout(JsonNode settings) {
    return Duration.ofMillis(settings.path("timeoutMs").asLong(10_000));
  }

  @Override
  public OutgoingRequest buildRequest(JsonNode settings, String actionType, List<JsonNode> payloads) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    settings.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
    JsonNode body;
    if (batchSize(settings) > 1) {
      ObjectNode batch = mapper.createObjectNode();
      ArrayNode items = batch.putArray("batch");
      payloads.forEach(items::add);
      body = batch;
    } else {
      body = payloads.get(0);
    }
    String text;
    try {
      text = mapper.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (settings.path("signingSecret").isTextual()) {
      // Signed last, over the very body sent; a retry is signed again with its own timestamp.
      String id = StandardWebhooks.messageId(text);
      long timestamp = clock.instant().getEpochSecond();
      headers.put(StandardWebhooks.ID, id);
      headers.put(StandardWebhooks.TIMESTAMP, Long.toString(timestamp));
      headers.put(StandardWebhooks.SIGNATURE,
          StandardWebhooks.signature(settings.path("signingSecret").asText(), id, timestamp, text));
    }
    return new OutgoingRequest(settings.path("method").asText("POST"), settings.path("url").asText(), headers, text);
  }

  private static ObjectNode read(ObjectMapper mapper, String json) {
    try {
      return (ObjectNode) mapper.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
