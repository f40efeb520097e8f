package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where a trigger reads a field: {@code properties.a.b} is {@code a.b} inside the event's
 * {@code properties} (likewise {@code traits.*} and {@code context.*}); any other name is read from
 * the top of the event. Reads follow Segment's {@code get} (see {@link FieldPath}).
 */
record EventField(String container, FieldPath path) {
  /** A field at the top of the event, such as {@code type} or {@code anonymousId}. */
  static EventField topLevel(FieldPath path) {
    return new EventField(null, path);
  }

  JsonNode read(JsonNode event) {
    JsonNode base = container == null ? event : event.get(container);
    return path.read(base);
  }
}
