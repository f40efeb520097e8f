package dev.relay.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Customer.io Journeys through the Track API v2: one entity operation per event, {@code POST
 * /api/v2/entity} for one, {@code POST /api/v2/batch} ({@code {"batch": [...]}}, under 500 KB) for
 * several; HTTP Basic with site id and API key. identify → person {@code identify}, track / page /
 * screen → person {@code event} / {@code page} / {@code screen}, group → object {@code identify}
 * related to the person, alias → person {@code merge}.
 *
 * <p>Mapped fields: {@code person_id} (an email or {@code cio_…} id is recognised as such), {@code
 * anonymous_id}, {@code email}, {@code timestamp}, {@code attributes}; {@code name} for events,
 * pages (the URL) and screens; {@code object_id}, {@code object_type_id} for objects; {@code
 * primary}, {@code secondary} for merges.
 */
public final class CustomerIoDestination extends CatalogType {

  static final Map<String, String> HOSTS = Map.of("us", "https://track.customer.io", "eu", "https://track-eu.customer.io");
  /** "Your request must be smaller than 500kb." */
  static final int MAX_BYTES = 500_000;
  static final int MAX_BATCH = 1000;
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

  private final ObjectMapper mapper;

  public CustomerIoDestination(ObjectMapper mapper) {
    super("customerio", "Customer.io", VendorRequests.read(mapper, SCHEMA), defaultActions(mapper));
    this.mapper = mapper;
  }

  private static List<ActionDefinition> defaultActions(ObjectMapper mapper) {
    String person =
        "\"person_id\": {\"@path\": \"$.userId\"}, \"anonymous_id\": {\"@path\": \"$.anonymousId\"},"
            + " \"timestamp\": {\"@path\": \"$.timestamp\"}";
    return List.of(
            new ActionDefinition("Create or Update Person", "identifyPerson", "type = \"identify\"",
                VendorRequests.read(mapper,
                    "{" + person + ", \"email\": {\"@path\": \"$.traits.email\"}, \"attributes\": {\"@path\": \"$.traits\"}}")),
            new ActionDefinition("Track Event", "trackEvent", "type = \"track\"",
                VendorRequests.read(mapper,
                    "{" + person + ", \"name\": {\"@path\": \"$.event\"}, \"attributes\": {\"@path\": \"$.properties\"}}")),
            new ActionDefinition("Track Page View", "trackPageView", "type = \"page\"",
                VendorRequests.read(mapper,
                    "{" + person + ", \"name\": {\"@if\": {\"exists\": {\"@path\": \"$.properties.url\"}, \"then\": {\"@path\": \"$.properties.url\"},"
                        + " \"else\": {\"@path\": \"$.context.page.url\"}}}, \"attributes\": {\"@path\": \"$.properties\"}}")),
            new ActionDefinition("Track Screen View", "trackScreenView", "type = \"screen\"",
                VendorRequests.read(mapper,
                    "{" + person + ", \"name\": {\"@path\": \"$.name\"}, \"attributes\": {\"@path\": \"$.properties\"}}")),
            new ActionDefinition("Create or Update Object", "createUpdateObject", "type = \"group\"",
                VendorRequests.read(mapper,
                    "{" + person + ", \"object_id\": {\"@path\": \"$.groupId\"}, \"object_type_id\": \"1\","
                        + " \"attributes\": {\"@path\": \"$.traits\"}}")),
            new ActionDefinition("Merge People", "mergePeople", "type = \"alias\"",
                VendorRequests.read(mapper,
                    "{\"primary\": {\"@path\": \"$.userId\"}, \"secondary\": {\"@path\": \"$.previousId\"}}")));
  }

  private static final String SCHEMA =
      """
      {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["siteId", "apiKey"],
        "additionalProperties": false,
        "properties": {
          "siteId": {"type": "string", "minLength": 1, "description": "The workspace's Track API site id (the Basic user name)."},
          "apiKey": {"type": "string", "minLength": 1, "writeOnly": true, "description": "The Track API key (the Basic password)."},
          "region": {"enum": ["us", "eu"], "default": "us", "description": "Account region: track.customer.io or track-eu.customer.io."},
          "batchSize": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100,
                        "description": "Operations per request; above 1 they go to /api/v2/batch (under 500 KB a request)."},
      """
          + VendorRequests.COMMON_PROPERTIES
          + """

        }
      }
      """;

  /** Customer.io asks Track API clients to stay under about 100 requests per second. */
  @Override
  public RateLimit rateLimit(JsonNode settings) {
    return RateLimit.of(settings, RateLimit.requestsPerSecond(100));
  }

  @Override
  public int batchSize(JsonNode settings) {
    return settings.path("batchSize").asInt(100);
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
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Authorization", VendorRequests.basic(settings.path("siteId").asText(), settings.path("apiKey").asText()));
    if (payloads.size() == 1) {
      return new OutgoingRequest("POST", base + "/api/v2/entity", headers, VendorRequests.write(mapper, entity(actionType, payloads.get(0))));
    }
    ObjectNode body = mapper.createObjectNode();
    ArrayNode batch = body.putArray("batch");
    payloads.forEach(p -> batch.add(entity(actionType, p)));
    return new OutgoingRequest("POST", base + "/api/v2/batch", headers, VendorRequests.write(mapper, body));
  }

  /** One entity operation as the Track API v2 documents it. */
  ObjectNode entity(String actionType, JsonNode payload) {
    ObjectNode entity = mapper.createObjectNode();
    switch (actionType) {
      case "mergePeople" -> {
        entity.put("type", "person").put("action", "merge");
        entity.set("primary", identifiers(VendorRequests.text(payload, "primary"), Optional.empty(), Optional.empty()));
        entity.set("secondary", identifiers(VendorRequests.text(payload, "secondary"), Optional.empty(), Optional.empty()));
        return entity;
      }
      case "createUpdateObject" -> {
        entity.put("type", "object").put("action", "identify");
        ObjectNode identifiers = entity.putObject("identifiers");
        identifiers.put("object_type_id", VendorRequests.text(payload, "object_type_id").orElse("1"));
        identifiers.put("object_id", VendorRequests.text(payload, "object_id").orElse(""));
        entity.set("attributes", VendorRequests.object(mapper, payload, "attributes"));
        ObjectNode person = identifiers(
            VendorRequests.text(payload, "person_id"), VendorRequests.text(payload, "email"), VendorRequests.text(payload, "anonymous_id"));
        if (!person.isEmpty()) {
          entity.putArray("cio_relationships").addObject().set("identifiers", person);
        }
      }
      default -> {
        entity.put("type", "person").put("action", switch (actionType) {
          case "trackEvent" -> "event";
          case "trackPageView" -> "page";
          case "trackScreenView" -> "screen";
          default -> "identify";
        });
        ObjectNode identifiers = identifiers(
            VendorRequests.text(payload, "person_id"), VendorRequests.text(payload, "email"), VendorRequests.text(payload, "anonymous_id"));
        entity.set("identifiers", identifiers);
        VendorRequests.text(payload, "name").ifPresent(name -> entity.put("name", name));
        ObjectNode attributes = VendorRequests.object(mapper, payload, "attributes");
        // Known by id or email: the anonymous id goes along, so Customer.io merges the anonymous activity.
        if ("identify".equals(entity.path("action").asText()) && !identifiers.has("anonymous_id")) {
          VendorRequests.text(payload, "anonymous_id").ifPresent(id -> attributes.put("anonymous_id", id));
        }
        entity.set("attributes", attributes);
      }
    }
    // Customer.io takes Unix seconds.
    VendorRequests.epochMillis(payload.path("timestamp")).ifPresent(ms -> entity.put("timestamp", ms / 1000));
    return entity;
  }

  /** A person's identifiers: a {@code cio_…} id, an email, an id; else the email or anonymous id given. */
  private ObjectNode identifiers(Optional<String> personId, Optional<String> email, Optional<String> anonymousId) {
    ObjectNode identifiers = mapper.createObjectNode();
    if (personId.isPresent()) {
      String id = personId.get();
      if (id.startsWith("cio_")) {
        identifiers.put("cio_id", id.substring(4));
      } else if (EMAIL.matcher(id).matches()) {
        identifiers.put("email", id);
      } else {
        identifiers.put("id", id);
      }
    } else if (email.isPresent()) {
      identifiers.put("email", email.get());
    } else {
      anonymousId.ifPresent(id -> identifiers.put("anonymous_id", id));
    }
    return identifiers;
  }

  /**
   * A batch answer lists the operations it refused in {@code errors} by {@code batch_index}: those
   * fail (whatever the status: the rest of the batch was taken) and the others are delivered.
   */
  @Override
  public BatchReading readBatchResponse(int status, String body, int count) {
    if (status == 207 || status == 200 || status == 400) {
      JsonNode errors = VendorRequests.parse(mapper, body).orElse(mapper.missingNode()).path("errors");
      Map<Integer, Outcome> failed = new HashMap<>();
      errors.forEach(e -> {
        if (e.path("batch_index").isInt() && e.path("batch_index").asInt() < count) {
          failed.put(e.path("batch_index").asInt(), Outcome.FAILED);
        }
      });
      if (!failed.isEmpty()) {
        return BatchReading.except(Outcome.DELIVERED, failed);
      }
    }
    return super.readBatchResponse(status, body, count);
  }
}
