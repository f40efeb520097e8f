package dev.relay.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/** What the vendor destination types share: base URLs by region, times, auth and JSON. */
final class VendorRequests {

  private VendorRequests() {}

  /** Settings every vendor type has: a base URL replacing the vendor's, and the answer timeout. */
  static final String COMMON_PROPERTIES =
      """
          "endpoint": {"type": "string", "format": "uri", "pattern": "^https?://[^\\\\s]+$",
                       "description": "Replaces the vendor's base URL (the region's host by default): a proxy, or a stand-in in tests."},
          "timeoutMs": {"type": "integer", "minimum": 100, "maximum": 120000, "default": 10000,
                        "description": "How long to wait for the answer, in milliseconds."}""";

  /** The {@code endpoint} setting without a trailing slash, else the host of the {@code region} setting. */
  static String baseUrl(JsonNode settings, Map<String, String> hostsByRegion, String defaultRegion) {
    String endpoint = settings.path("endpoint").asText("");
    if (!endpoint.isEmpty()) {
      return endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    }
    return hostsByRegion.getOrDefault(settings.path("region").asText(defaultRegion), hostsByRegion.get(defaultRegion));
  }

  static Duration timeout(JsonNode settings) {
    return Duration.ofMillis(settings.path("timeoutMs").asLong(10_000));
  }

  /**
   * A mapped time as milliseconds since the epoch: a number is taken as it is, an ISO-8601 text
   * (Segment's {@code timestamp}) is converted; anything else is absent.
   */
  static Optional<Long> epochMillis(JsonNode time) {
    if (time.isNumber()) {
      return Optional.of(time.asLong());
    }
    if (time.isTextual()) {
      try {
        return Optional.of(OffsetDateTime.parse(time.asText()).toInstant().toEpochMilli());
      } catch (DateTimeParseException e) {
        try {
          return Optional.of(Instant.parse(time.asText()).toEpochMilli());
        } catch (DateTimeParseException again) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /** An HTTP Basic {@code Authorization} value. */
  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The text of a mapped field, or empty when it is missing, null or blank. */
  static Optional<String> text(JsonNode payload, String field) {
    JsonNode value = payload.path(field);
    if (value.isMissingNode() || value.isNull() || value.isContainerNode()) {
      return Optional.empty();
    }
    String text = value.asText();
    return text.isBlank() ? Optional.empty() : Optional.of(text);
  }

  /** A mapped field that is an object, or a fresh empty one. */
  static ObjectNode object(ObjectMapper mapper, JsonNode payload, String field) {
    JsonNode value = payload.path(field);
    return value.isObject() ? ((ObjectNode) value).deepCopy() : mapper.createObjectNode();
  }

  /** The answer's body as JSON; empty when it is not JSON. */
  static Optional<JsonNode> parse(ObjectMapper mapper, String body) {
    try {
      return Optional.ofNullable(body == null || body.isBlank() ? null : mapper.readTree(body));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  static String write(ObjectMapper mapper, JsonNode body) {
    try {
      return mapper.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode read(ObjectMapper mapper, String json) {
    try {
      return (ObjectNode) mapper.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
