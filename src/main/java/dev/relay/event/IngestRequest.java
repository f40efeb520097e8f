package dev.relay.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated, enriched ingest request.
 *
 * @param writeKey the body's {@code writeKey} field, if it had a non-empty one (HTTP Basic auth
 *     is the caller's business)
 * @param events the calls in request order, each with {@code type}, {@code messageId},
 *     {@code receivedAt} and {@code timestamp} set and without {@code writeKey}
 */
public record IngestRequest(Optional<String> writeKey, List<ObjectNode> events) {

  public IngestRequest {
    Objects.requireNonNull(writeKey, "writeKey");
    events = List.copyOf(events);
  }
}
