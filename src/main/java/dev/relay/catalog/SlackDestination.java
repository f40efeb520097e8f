package dev.relay.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.relay.mapping.Mapping;
import dev.relay.mapping.MappingLimits;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Slack through an incoming webhook: {@code POST} of {@code {"text": ...}} to the webhook's URL, one
 * message per event (Slack takes one message a second per webhook; there is no batch form).
 *
 * <p>The message is the mapped {@code text} field when the action's mapping produces one; otherwise
 * the {@code template} setting ({@code {{path}}} placeholders, as {@code @template}) rendered over
 * the mapped payload, by default the event itself. Values put into the template have {@code &},
 * {@code <} and {@code >} escaped as Slack requires, so event data cannot inject links or mentions.
 */
public final class SlackDestination extends CatalogType {

  static final String DEFAULT_TEMPLATE = "{{event}} by {{userId}}";
  /** A template is small: bounded like a mapping, by the defaults of relay.mapping. */
  private static final MappingLimits TEMPLATE_LIMITS = new MappingLimits(4096, 32, 65536);

  private final ObjectMapper mapper;

  public SlackDestination(ObjectMapper mapper) {
    super("slack", "Slack", VendorRequests.read(mapper, SCHEMA), defaultActions(mapper));
    this.mapper = mapper;
  }

  private static List<ActionDefinition> defaultActions(ObjectMapper mapper) {
    return List.of(new ActionDefinition("Post Message", "postMessage", "type = \"track\"", VendorRequests.read(mapper, "{\"@path\": \"$.\"}")));
  }

  private static final String SCHEMA =
      """
      {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["webhookUrl"],
        "additionalProperties": false,
        "properties": {
          "webhookUrl": {"type": "string", "pattern": "^https?://[^\\\\s/]+/[^\\\\s]*$", "writeOnly": true,
                         "description": "The incoming webhook's URL (https://hooks.slack.com/services/...). Secret: it is the credential."},
          "template": {"type": "string", "minLength": 1, "maxLength": 4000, "default": "{{event}} by {{userId}}",
                       "description": "The message when the action's mapping gives no text: {{path}} placeholders over the mapped event."},
      """
          + VendorRequests.COMMON_PROPERTIES
          + """

        }
      }
      """;

  /** Slack allows an incoming webhook about one message per second (short bursts above it are answered 429). */
  @Override
  public RateLimit rateLimit(JsonNode settings) {
    return RateLimit.of(settings, RateLimit.requestsPerSecond(1));
  }

  @Override
  public List<String> endpoints(JsonNode settings) {
    return List.of(url(settings));
  }

  /** The webhook's path is its credential: redacted also when an endpoint sends it to another host. */
  @Override
  public List<String> secretValues(JsonNode settings) {
    List<String> secrets = new ArrayList<>(Settings.secretValues(settingsSchema(), settings));
    String webhook = settings.path("webhookUrl").asText("");
    try {
      String path = URI.create(webhook).getRawPath();
      if (path != null && !path.isEmpty() && !path.equals("/")) {
        secrets.add(path);
      }
    } catch (IllegalArgumentException notAUrl) {
      // The schema's pattern keeps such values out; nothing more to redact.
    }
    return secrets;
  }

  @Override
  public Duration timeout(JsonNode settings) {
    return VendorRequests.timeout(settings);
  }

  @Override
  public OutgoingRequest buildRequest(JsonNode settings, String actionType, List<JsonNode> payloads) {
    JsonNode payload = payloads.get(0);
    String text =
        payload.path("text").isTextual()
            ? payload.path("text").asText()
            : template(settings).apply(escaped(payload)).asText();
    ObjectNode body = mapper.createObjectNode().put("text", text);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    return new OutgoingRequest("POST", url(settings), headers, VendorRequests.write(mapper, body));
  }

  /** The webhook's URL; an {@code endpoint} setting replaces its scheme and host, keeping the path. */
  static String url(JsonNode settings) {
    String webhook = settings.path("webhookUrl").asText("");
    String endpoint = settings.path("endpoint").asText("");
    if (endpoint.isEmpty()) {
      return webhook;
    }
    String path = URI.create(webhook).getRawPath();
    return (endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint) + (path == null ? "" : path);
  }

  private Mapping template(JsonNode settings) {
    ObjectNode mapping = mapper.createObjectNode();
    mapping.put("@template", settings.path("template").asText(DEFAULT_TEMPLATE));
    return Mapping.compile(mapping, TEMPLATE_LIMITS);
  }

  /** A copy with every text value escaped for Slack's mrkdwn (&amp;, &lt;, &gt;). */
  private static JsonNode escaped(JsonNode value) {
    if (value.isTextual()) {
      return TextNode.valueOf(value.asText().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"));
    }
    if (value instanceof ObjectNode object) {
      ObjectNode copy = object.objectNode();
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      names.forEach(name -> copy.set(name, escaped(object.get(name))));
      return copy;
    }
    if (value instanceof ArrayNode array) {
      ArrayNode copy = array.arrayNode();
      array.forEach(item -> copy.add(escaped(item)));
      return copy;
    }
    return value;
  }
}
