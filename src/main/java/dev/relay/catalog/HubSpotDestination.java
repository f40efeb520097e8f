package dev.relay.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * HubSpot with a private app's access token (Bearer): identify → CRM v3 contacts batch upsert by
 * email ({@code POST /crm/v3/objects/contacts/batch/upsert}, up to 100 inputs), track → custom
 * behavioral event occurrences ({@code POST /events/v3/send}, several at once through
 * {@code /events/v3/send/batch}).
 *
 * <p>Mapped fields: {@code upsertContact} — {@code email} and the contact properties
 * {@code firstname}, {@code lastname}, {@code phone}, {@code company}, {@code website},
 * {@code address}, {@code city}, {@code state}, {@code zip}, {@code country}, {@code lifecyclestage},
 * plus {@code properties} (any other contact properties, by internal name);
 * {@code sendCustomBehavioralEvent} — {@code eventName}, {@code email}, {@code objectId},
 * {@code utk}, {@code occurredAt}, {@code uuid}, {@code properties}.
 */
public final class HubSpotDestination extends CatalogType {

  static final String HOST = "https://api.hubapi.com";
  /** HubSpot's batch endpoints take up to 100 inputs. */
  static final int MAX_BATCH = 100;
  private static final List<String> CONTACT_PROPERTIES =
      List.of("email", "firstname", "lastname", "phone", "company", "website", "address", "city", "state", "zip", "country",
          "lifecyclestage");
  private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final ObjectMapper mapper;

  public HubSpotDestination(ObjectMapper mapper) {
    super("hubspot", "HubSpot", VendorRequests.read(mapper, SCHEMA), defaultActions(mapper));
    this.mapper = mapper;
  }

  private static List<ActionDefinition> defaultActions(ObjectMapper mapper) {
    return List.of(
            new ActionDefinition("Upsert Contact", "upsertContact", "type = \"identify\"",
                VendorRequests.read(mapper,
                    """
                    {"email": {"@path": "$.traits.email"}, "firstname": {"@path": "$.traits.firstName"},
                     "lastname": {"@path": "$.traits.lastName"}, "phone": {"@path": "$.traits.phone"},
                     "company": {"@path": "$.traits.company.name"}, "website": {"@path": "$.traits.website"},
                     "address": {"@path": "$.traits.address.street"}, "city": {"@path": "$.traits.address.city"},
                     "state": {"@path": "$.traits.address.state"}, "zip": {"@path": "$.traits.address.postalCode"},
                     "country": {"@path": "$.traits.address.country"}}
                    """)),
            new ActionDefinition("Send Custom Behavioral Event", "sendCustomBehavioralEvent", "type = \"track\"",
                VendorRequests.read(mapper,
                    """
                    {"eventName": {"@path": "$.event"},
                     "email": {"@if": {"exists": {"@path": "$.context.traits.email"}, "then": {"@path": "$.context.traits.email"},
                                       "else": {"@path": "$.properties.email"}}},
                     "occurredAt": {"@path": "$.timestamp"}, "uuid": {"@path": "$.messageId"},
                     "properties": {"@path": "$.properties"}}
                    """)));
  }

  private static final String SCHEMA =
      """
      {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["accessToken"],
        "additionalProperties": false,
        "properties": {
          "accessToken": {"type": "string", "minLength": 1, "writeOnly": true,
                          "description": "A private app's access token (scopes crm.objects.contacts.write, analytics.behavioral_events.send)."},
          "portalId": {"type": "string", "pattern": "^[0-9]+$",
                       "description": "The Hub ID: event names not yet qualified become pe<portalId>_<name> (lower case, _ for other characters)."},
          "batchSize": {"type": "integer", "minimum": 1, "maximum": 100, "default": 100,
                        "description": "Inputs per request (HubSpot takes up to 100)."},
      """
          + VendorRequests.COMMON_PROPERTIES
          + """

        }
      }
      """;

  /** HubSpot allows a private app 100 requests per 10 seconds (its lowest tier). */
  @Override
  public RateLimit rateLimit(JsonNode settings) {
    return RateLimit.of(settings, RateLimit.requestsPerSecond(10));
  }

  @Override
  public int batchSize(JsonNode settings) {
    return settings.path("batchSize").asInt(MAX_BATCH);
  }

  @Override
  public List<String> endpoints(JsonNode settings) {
    return List.of(VendorRequests.baseUrl(settings, Map.of("us", HOST), "us"));
  }

  @Override
  public Duration timeout(JsonNode settings) {
    return VendorRequests.timeout(settings);
  }

  @Override
  public OutgoingRequest buildRequest(JsonNode settings, String actionType, List<JsonNode> payloads) {
    String base = VendorRequests.baseUrl(settings, Map.of("us", HOST), "us");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Authorization", "Bearer " + settings.path("accessToken").asText());
    if ("upsertContact".equals(actionType)) {
      ObjectNode body = mapper.createObjectNode();
      ArrayNode inputs = body.putArray("inputs");
      payloads.forEach(p -> inputs.add(contact(p)));
      return new OutgoingRequest("POST", base + "/crm/v3/objects/contacts/batch/upsert", headers, VendorRequests.write(mapper, body));
    }
    String portalId = settings.path("portalId").asText("");
    if (payloads.size() == 1) {
      return new OutgoingRequest("POST", base + "/events/v3/send", headers,
          VendorRequests.write(mapper, occurrence(portalId, payloads.get(0))));
    }
    ObjectNode body = mapper.createObjectNode();
    ArrayNode inputs = body.putArray("inputs");
    payloads.forEach(p -> inputs.add(occurrence(portalId, p)));
    return new OutgoingRequest("POST", base + "/events/v3/send/batch", headers, VendorRequests.write(mapper, body));
  }

  /** {@code {"idProperty": "email", "id": <email>, "properties": {...}}}. */
  private ObjectNode contact(JsonNode payload) {
    ObjectNode properties = VendorRequests.object(mapper, payload, "properties");
    for (String name : CONTACT_PROPERTIES) {
      VendorRequests.text(payload, name).ifPresent(v -> properties.put(name, v));
    }
    ObjectNode input = mapper.createObjectNode();
    input.put("idProperty", "email");
    input.put("id", VendorRequests.text(payload, "email").orElse(""));
    input.set("properties", properties);
    return input;
  }

  private ObjectNode occurrence(String portalId, JsonNode payload) {
    ObjectNode occurrence = mapper.createObjectNode();
    occurrence.put("eventName", eventName(portalId, VendorRequests.text(payload, "eventName").orElse("")));
    VendorRequests.text(payload, "email").ifPresent(v -> occurrence.put("email", v));
    VendorRequests.text(payload, "objectId").ifPresent(v -> occurrence.put("objectId", v));
    VendorRequests.text(payload, "utk").ifPresent(v -> occurrence.put("utk", v));
    VendorRequests.epochMillis(payload.path("occurredAt"))
        .ifPresent(ms -> occurrence.put("occurredAt", Instant.ofEpochMilli(ms).toString()));
    VendorRequests.text(payload, "uuid").map(HubSpotDestination::uuid).ifPresent(v -> occurrence.put("uuid", v));
    occurrence.set("properties", VendorRequests.object(mapper, payload, "properties"));
    return occurrence;
  }

  /** A name already qualified ({@code pe…_…}), or without a portal id to qualify it with, is kept. */
  static String eventName(String portalId, String name) {
    if (portalId.isEmpty() || name.matches("pe\\d+_.*")) {
      return name;
    }
    return "pe" + portalId + "_" + name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
  }

  /** The messageId when it is a UUID, else a name-based UUID of it: the occurrence's id, the same on every retry. */
  static String uuid(String messageId) {
    return UUID_TEXT.matcher(messageId).matches()
        ? messageId
        : UUID.nameUUIDFromBytes(messageId.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /**
   * HubSpot refuses a whole batch for one invalid input (a 400, e.g. an invalid email: nothing of it
   * was taken), or answers a contacts upsert 207 with {@code errors} for some inputs without saying
   * by index: the batch is narrowed down until the refused inputs are alone. Re-sending the others is
   * harmless: nothing was taken of a 400, and an upsert by email is idempotent.
   */
  @Override
  public BatchReading readBatchResponse(int status, String body, int count) {
    if (count > 1 && (status == 400 || (status == 207 && hasErrors(body)))) {
      return BatchReading.isolate();
    }
    if (status == 207 && hasErrors(body)) {
      return BatchReading.all(Outcome.FAILED);
    }
    return super.readBatchResponse(status, body, count);
  }

  private boolean hasErrors(String body) {
    JsonNode answer = VendorRequests.parse(mapper, body).orElse(mapper.missingNode());
    return answer.path("numErrors").asInt(0) > 0 || answer.path("errors").size() > 0;
  }
}
