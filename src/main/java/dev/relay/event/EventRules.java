package dev.relay.event;

import static dev.relay.event.InvalidRequest.badRequest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/** The Segment spec's rules for one call, checked in place. */
final class EventRules {

  /** The call's own date-times, parsed once here so that enrichment need not parse them again. */
  record Times(Instant timestamp, Instant originalTimestamp, Instant sentAt) {}

  // Segment's validator takes numbers for identities, and its server libraries send them as
  // strings; so do we, so that destinations and de-duplication see one type.
  private static final List<String> IDS = List.of("userId", "anonymousId", "previousId", "groupId");
  private static final List<String> OBJECTS = List.of("properties", "traits", "context", "integrations");
  private static final List<String> STRINGS = List.of("event", "name", "messageId");

  private EventRules() {}

  /**
   * Checks a call of a known type and turns numeric identities into strings. A JSON null counts
   * as absent, as analytics.js sends {@code "userId": null} for anonymous visitors.
   *
   * @param where prefix naming the call in messages, like {@code "batch[3]: "}, or empty
   */
  static Times check(ObjectNode event, String type, String where) throws InvalidRequest {
    for (String field : IDS) {
      JsonNode id = event.get(field);
      if (id != null && id.isNumber()) {
        event.put(field, numberAsText(id));
      } else if (present(id) && !id.isTextual()) {
        throw badRequest(where + "\"" + field + "\" must be a string");
      }
    }
    for (String field : OBJECTS) {
      JsonNode value = event.get(field);
      if (present(value) && !value.isObject()) {
        throw badRequest(where + "\"" + field + "\" must be an object");
      }
    }
    for (String field : STRINGS) {
      JsonNode value = event.get(field);
      if (present(value) && !value.isTextual()) {
        throw badRequest(where + "\"" + field + "\" must be a string");
      }
    }

    if (type.equals(EventTypes.ALIAS)) {
      require(event, "userId", where + "alias requires \"userId\"");
      require(event, "previousId", where + "alias requires \"previousId\"");
    } else if (!hasText(event.get("userId")) && !hasText(event.get("anonymousId"))) {
      throw badRequest(where + type + " requires \"userId\" or \"anonymousId\"");
    }
    if (type.equals(EventTypes.TRACK)) {
      require(event, "event", where + "track requires \"event\"");
    } else if (type.equals(EventTypes.GROUP)) {
      require(event, "groupId", where + "group requires \"groupId\"");
    }

    return new Times(
        date(event.get("timestamp"), "timestamp", where),
        date(event.get("originalTimestamp"), "originalTimestamp", where),
        date(event.get("sentAt"), "sentAt", where));
  }

  /** The date-time in a field, null if absent; anything but an ISO-8601 date-time is refused. */
  static Instant date(JsonNode value, String field, String where) throws InvalidRequest {
    if (!present(value)) {
      return null;
    }
    Instant instant = value.isTextual() ? Iso8601.parse(value.textValue()) : null;
    if (instant == null) {
      throw badRequest(
          where + "\"" + field + "\" must be an ISO-8601 date-time, like 2024-05-01T12:00:00.000Z");
    }
    return instant;
  }

  static boolean present(JsonNode value) {
    return value != null && !value.isNull();
  }

  static boolean hasText(JsonNode value) {
    return value != null && value.isTextual() && !value.textValue().isEmpty();
  }

  private static void require(ObjectNode event, String field, String message) throws InvalidRequest {
    if (!hasText(event.get(field))) {
      throw badRequest(message);
    }
  }

  /** As JavaScript's String(n) would write it for the numbers people use as ids: 42, 1.5. */
  private static String numberAsText(JsonNode number) {
    return number.isIntegralNumber()
        ? number.asText()
        : number.decimalValue().stripTrailingZeros().toPlainString();
  }
}
