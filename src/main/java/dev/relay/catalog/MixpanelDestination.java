package dev.relay.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Mixpanel: events through the Import API ({@code POST /import?strict=1}, HTTP Basic with the
 * project's API secret as user name), profiles through Engage ({@code POST /engage}, {@code $set},
 * authenticated by the project token in the body). Both take a JSON array of up to 2,000 records.
 *
 * <p>An action's mapping produces the fields of its kind: {@code trackEvent} — {@code event},
 * {@code distinct_id}, {@code time}, {@code insert_id}, {@code ip}, {@code properties};
 * {@code identifyUser} — {@code distinct_id}, {@code ip}, {@code traits}.
 */
public final class MixpanelDestination extends CatalogType {

  static final Map<String, String> HOSTS =
      Map.of("us", "https://api.mixpanel.com", "eu", "https://api-eu.mixpanel.com", "in", "https://api-in.mixpanel.com");
  /** Records per request, for /import and /engage alike. */
  static final int MAX_BATCH = 2000;
  /**
   * Bytes of uncompressed JSON per request. /import documents 10 MB, /engage 2 MB; one limit per
   * request kind.
   */
  static final int IMPORT_MAX_BYTES = 10_000_000;
  static final int ENGAGE_MAX_BYTES = 2_000_000;
  /** Mixpanel's $insert_id: up to 36 letters, digits or dashes. */
  private static final Pattern INSERT_ID = Pattern.compile("[A-Za-z0-9-]{1,36}");
  /** Segment's reserved traits and the Mixpanel profile properties they become. */
  private static final Map<String, String> RESERVED_TRAITS =
      Map.ofEntries(
          Map.entry("email", "$email"), Map.entry("name", "$name"), Map.entry("firstName", "$first_name"),
          Map.entry("first_name", "$first_name"), Map.entry("lastName", "$last_name"), Map.entry("last_name", "$last_name"),
          Map.entry("phone", "$phone"), Map.entry("avatar", "$avatar"), Map.entry("createdAt", "$created"),
          Map.entry("created_at", "$created"));

  private final ObjectMapper mapper;

  public MixpanelDestination(ObjectMapper mapper) {
    super("mixpanel", "Mixpanel", VendorRequests.read(mapper, SCHEMA), defaultActions(mapper));
    this.mapper = mapper;
  }

  private static List<ActionDefinition> defaultActions(ObjectMapper mapper) {
    String distinctId =
        "{\"@if\": {\"exists\": {\"@path\": \"$.userId\"}, \"then\": {\"@path\": \"$.userId\"}, \"else\": {\"@path\": \"$.anonymousId\"}}}";
    String eventFields =
        "\"distinct_id\": " + distinctId + ", \"time\": {\"@path\": \"$.timestamp\"}, \"insert_id\": {\"@path\": \"$.messageId\"},"
            + " \"ip\": {\"@path\": \"$.context.ip\"}, \"properties\": {\"@path\": \"$.properties\"}";
    return List.of(
            new ActionDefinition("Track Calls", "trackEvent", "type = \"track\"",
                VendorRequests.read(mapper, "{\"event\": {\"@path\": \"$.event\"}, " + eventFields + "}")),
            new ActionDefinition("Page Calls", "trackEvent", "type = \"page\"",
                VendorRequests.read(mapper, "{\"event\": {\"@template\": \"Viewed {{name}}\"}, " + eventFields + "}")),
            new ActionDefinition("Screen Calls", "trackEvent", "type = \"screen\"",
                VendorRequests.read(mapper, "{\"event\": {\"@template\": \"Viewed {{name}}\"}, " + eventFields + "}")),
            new ActionDefinition("Identify Calls", "identifyUser", "type = \"identify\"",
                VendorRequests.read(mapper,
                    "{\"distinct_id\": " + distinctId + ", \"ip\": {\"@path\": \"$.context.ip\"}, \"traits\": {\"@path\": \"$.traits\"}}")));
  }

  private static final String SCHEMA =
      """
      {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["projectToken", "apiSecret"],
        "additionalProperties": false,
        "properties": {
          "projectToken": {"type": "string", "minLength": 1, "description": "The project's token (Engage profile updates carry it)."},
          "apiSecret": {"type": "string", "minLength": 1, "writeOnly": true,
                        "description": "The project's API secret: the Import API's HTTP Basic user name."},
          "region": {"enum": ["us", "eu", "in"], "default": "us",
                     "description": "Data residency: api.mixpanel.com, api-eu.mixpanel.com or api-in.mixpanel.com."},
          "batchSize": {"type": "integer", "minimum": 1, "maximum": 2000, "default": 2000,
                        "description": "Records per request (Mixpanel takes up to 2,000)."},
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
    return "identifyUser".equals(actionType) ? ENGAGE_MAX_BYTES : IMPORT_MAX_BYTES;
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
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Accept", "application/json");
    ArrayNode records = mapper.createArrayNode();
    if ("identifyUser".equals(actionType)) {
      payloads.forEach(p -> records.add(profileSet(settings, p)));
      // verbose=1: Engage answers 200 even when it refuses an update; only the verbose body says so.
      return new OutgoingRequest("POST", base + "/engage?verbose=1", headers, VendorRequests.write(mapper, records));
    }
    payloads.forEach(p -> records.add(importEvent(p)));
    headers.put("Authorization", VendorRequests.basic(settings.path("apiSecret").asText(), ""));
    return new OutgoingRequest("POST", base + "/import?strict=1", headers, VendorRequests.write(mapper, records));
  }

  /** {@code {"event", "properties": {"time", "distinct_id", "$insert_id", ...}}} as /import documents. */
  private ObjectNode importEvent(JsonNode payload) {
    ObjectNode event = mapper.createObjectNode();
    event.put("event", VendorRequests.text(payload, "event").orElse(""));
    ObjectNode properties = VendorRequests.object(mapper, payload, "properties");
    VendorRequests.epochMillis(payload.path("time")).ifPresent(ms -> properties.put("time", ms));
    properties.put("distinct_id", VendorRequests.text(payload, "distinct_id").orElse(""));
    VendorRequests.text(payload, "insert_id").map(MixpanelDestination::insertId).ifPresent(id -> properties.put("$insert_id", id));
    VendorRequests.text(payload, "ip").ifPresent(ip -> properties.put("ip", ip));
    event.set("properties", properties);
    return event;
  }

  /** An Engage {@code $set} update: reserved traits under Mixpanel's names. */
  private ObjectNode profileSet(JsonNode settings, JsonNode payload) {
    ObjectNode update = mapper.createObjectNode();
    update.put("$token", settings.path("projectToken").asText());
    update.put("$distinct_id", VendorRequests.text(payload, "distinct_id").orElse(""));
    // "0": no IP given, so Mixpanel must not geolocate the profile by Relay's own address.
    update.put("$ip", VendorRequests.text(payload, "ip").orElse("0"));
    ObjectNode set = update.putObject("$set");
    VendorRequests.object(mapper, payload, "traits")
        .fields()
        .forEachRemaining(t -> set.set(RESERVED_TRAITS.getOrDefault(t.getKey(), t.getKey()), t.getValue()));
    return update;
  }

  /**
   * Segment's messageId when it fits Mixpanel's $insert_id, else a name-based UUID of it: the same
   * event gets the same id on every retry, so Mixpanel deduplicates it.
   */
  static String insertId(String messageId) {
    return INSERT_ID.matcher(messageId).matches()
        ? messageId
        : UUID.nameUUIDFromBytes(messageId.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /**
   * /import with strict=1 answers 400 with {@code failed_records} when some events fail
   * validation: it ingested the others, so those are delivered and only the named ones fail.
   * Engage answers 200 with {@code {"status": 0, "error": ...}} when it refuses the update.
   */
  @Override
  public BatchReading readBatchResponse(int status, String body, int count) {
    JsonNode answer = VendorRequests.parse(mapper, body).orElse(mapper.missingNode());
    if (status == 400 && answer.path("failed_records").isArray() && answer.path("failed_records").size() > 0) {
      Map<Integer, Outcome> failed = new HashMap<>();
      answer.path("failed_records").forEach(r -> failed.put(r.path("index").asInt(), Outcome.FAILED));
      return BatchReading.except(Outcome.DELIVERED, failed);
    }
    if (status == 200 && answer.path("status").isNumber() && answer.path("status").asInt() == 0) {
      return BatchReading.all(Outcome.FAILED);
    }
    return super.readBatchResponse(status, body, count);
  }
}
