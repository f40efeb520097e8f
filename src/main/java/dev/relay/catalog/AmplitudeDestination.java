package dev.relay.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Amplitude: events through the HTTP V2 API ({@code POST /2/httpapi}, JSON {@code {"api_key",
 * "events": [...]}}, up to 2,000 events and 1 MB), user properties through the Identify API
 * ({@code POST /identify}, form-encoded {@code api_key} and {@code identification}).
 *
 * <p>An action's mapping produces the fields of its kind: {@code trackEvent} — {@code user_id},
 * {@code device_id}, {@code event_type}, {@code time}, {@code insert_id}, {@code event_properties},
 * {@code user_properties}, {@code ip}, {@code platform}, {@code os_name}, {@code language},
 * {@code library}; {@code identifyUser} — {@code user_id}, {@code device_id}, {@code user_properties}.
 */
public final class AmplitudeDestination extends CatalogType {

  static final Map<String, String> HOSTS = Map.of("us", "https://api2.amplitude.com", "eu", "https://api.eu.amplitude.com");
  static final int MAX_BATCH = 2000;
  /** "Keep request sizes under 1 MB": counted in bytes of the body as sent. */
  static final int MAX_BYTES = 1_000_000;
  /** Event fields passed through as they are mapped. */
  private static final List<String> TEXT_FIELDS =
      List.of("user_id", "device_id", "event_type", "insert_id", "ip", "platform", "os_name", "language", "library");

  private final ObjectMapper mapper;

  public AmplitudeDestination(ObjectMapper mapper) {
    super("amplitude", "Amplitude", VendorRequests.read(mapper, SCHEMA), defaultActions(mapper));
    this.mapper = mapper;
  }

  private static List<ActionDefinition> defaultActions(ObjectMapper mapper) {
    // Segment's Amplitude mapping: the device's id when the library knows it, else the anonymous id.
    String deviceId =
        "{\"@if\": {\"exists\": {\"@path\": \"$.context.device.id\"}, \"then\": {\"@path\": \"$.context.device.id\"},"
            + " \"else\": {\"@path\": \"$.anonymousId\"}}}";
    String eventFields =
        "\"user_id\": {\"@path\": \"$.userId\"}, \"device_id\": " + deviceId + ", \"time\": {\"@path\": \"$.timestamp\"},"
            + " \"insert_id\": {\"@path\": \"$.messageId\"}, \"ip\": {\"@path\": \"$.context.ip\"},"
            + " \"os_name\": {\"@path\": \"$.context.os.name\"}, \"language\": {\"@path\": \"$.context.locale\"}";
    return List.of(
            new ActionDefinition("Track Calls", "trackEvent", "type = \"track\"",
                VendorRequests.read(mapper,
                    "{\"event_type\": {\"@path\": \"$.event\"}, \"event_properties\": {\"@path\": \"$.properties\"}, " + eventFields + "}")),
            new ActionDefinition("Page Calls", "trackEvent", "type = \"page\"",
                VendorRequests.read(mapper,
                    "{\"event_type\": {\"@template\": \"Viewed {{name}}\"}, \"event_properties\": {\"@path\": \"$.properties\"}, " + eventFields + "}")),
            new ActionDefinition("Screen Calls", "trackEvent", "type = \"screen\"",
                VendorRequests.read(mapper,
                    "{\"event_type\": {\"@template\": \"Viewed {{name}}\"}, \"event_properties\": {\"@path\": \"$.properties\"}, " + eventFields + "}")),
            new ActionDefinition("Identify Calls", "identifyUser", "type = \"identify\"",
                VendorRequests.read(mapper,
                    "{\"user_id\": {\"@path\": \"$.userId\"}, \"device_id\": " + deviceId + ", \"user_properties\": {\"@path\": \"$.traits\"}}")));
  }

  private static final String SCHEMA =
      """
      {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["apiKey"],
        "additionalProperties": false,
        "properties": {
          "apiKey": {"type": "string", "minLength": 1, "writeOnly": true, "description": "The project's API key."},
          "region": {"enum": ["us", "eu"], "default": "us",
                     "description": "Data residency: api2.amplitude.com or api.eu.amplitude.com."},
          "minIdLength": {"type": "integer", "minimum": 1,
                          "description": "Shortest user_id or device_id Amplitude accepts (its default is 5)."},
          "batchSize": {"type": "integer", "minimum": 1, "maximum": 2000, "default": 2000,
                        "description": "Events per request (Amplitude takes up to 2,000; Starter plans are advised 10)."},
      """
          + VendorRequests.COMMON_PROPERTIES
          + """

        }
      }
      """;

  @Override
  public int batchSize(JsonNode settings) {
    return settings.path("batchSize").asInt(MAX_BATCH);
  }

  @Override
  public int maxRequestBytes(JsonNode settings, String actionType) {
    return MAX_BYTES;
  }

  @Override
  public List<String> endpoints(JsonNode settings) {
    return List.of(VendorRequests.baseUrl(settings, HOSTS, "us"));
  }

  @Override
  public Duration timeout(JsonNode settings) {
    return VendorRequests.timeout(settings);
  }

  @Override
  public OutgoingRequest buildRequest(JsonNode settings, String actionType, List<JsonNode> payloads) {
    String base = VendorRequests.baseUrl(settings, HOSTS, "us");
    String apiKey = settings.path("apiKey").asText();
    Map<String, String> headers = new LinkedHashMap<>();
    if ("identifyUser".equals(actionType)) {
      ArrayNode identifications = mapper.createArrayNode();
      for (JsonNode payload : payloads) {
        ObjectNode identification = identifications.addObject();
        VendorRequests.text(payload, "user_id").ifPresent(v -> identification.put("user_id", v));
        VendorRequests.text(payload, "device_id").ifPresent(v -> identification.put("device_id", v));
        identification.set("user_properties", VendorRequests.object(mapper, payload, "user_properties"));
      }
      headers.put("Content-Type", "application/x-www-form-urlencoded");
      String body =
          "api_key=" + URLEncoder.encode(apiKey, StandardCharsets.UTF_8)
              + "&identification=" + URLEncoder.encode(VendorRequests.write(mapper, identifications), StandardCharsets.UTF_8);
      return new OutgoingRequest("POST", base + "/identify", headers, body);
    }
    ObjectNode body = mapper.createObjectNode();
    body.put("api_key", apiKey);
    ArrayNode events = body.putArray("events");
    payloads.forEach(p -> events.add(event(p)));
    if (settings.path("minIdLength").isInt()) {
      body.putObject("options").put("min_id_length", settings.path("minIdLength").asInt());
    }
    headers.put("Content-Type", "application/json");
    headers.put("Accept", "*/*");
    return new OutgoingRequest("POST", base + "/2/httpapi", headers, VendorRequests.write(mapper, body));
  }

  private ObjectNode event(JsonNode payload) {
    ObjectNode event = mapper.createObjectNode();
    for (String field : TEXT_FIELDS) {
      VendorRequests.text(payload, field).ifPresent(v -> event.put(field, v));
    }
    VendorRequests.epochMillis(payload.path("time")).ifPresent(ms -> event.put("time", ms));
    if (payload.path("event_properties").isObject()) {
      event.set("event_properties", payload.get("event_properties"));
    }
    if (payload.path("user_properties").isObject()) {
      event.set("user_properties", payload.get("user_properties"));
    }
    return event;
  }

  /**
   * A 400 naming events (invalid or missing fields, silenced devices) rejected the whole request:
   * Amplitude asks to drop the events named and send the rest again, so those fail and the rest is
   * retried. A 400 naming none fails all: the request itself is wrong (e.g. the API key).
   */
  @Override
  public BatchReading readBatchResponse(int status, String body, int count) {
    if (status == 400) {
      JsonNode answer = VendorRequests.parse(mapper, body).orElse(mapper.missingNode());
      Map<Integer, Outcome> invalid = new HashMap<>();
      for (String list : List.of("events_with_invalid_fields", "events_with_missing_fields")) {
        answer.path(list).forEach(indexes -> indexes.forEach(i -> invalid.put(i.asInt(), Outcome.FAILED)));
      }
      answer.path("silenced_events").forEach(i -> invalid.put(i.asInt(), Outcome.FAILED));
      if (!invalid.isEmpty()) {
        return BatchReading.except(Outcome.RETRY, invalid);
      }
    }
    return super.readBatchResponse(status, body, count);
  }
}
