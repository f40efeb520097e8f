package dev.relay.source;

import java.time.Instant;
import java.util.List;

/** A source as the admin API shows it. */
public record SourceView(
    String id, String name, String type, String writeKey, List<String> destinations, Instant createdAt) {

  static SourceView of(SourceRoute route) {
    return new SourceView(route.id(), route.name(), route.type(), route.writeKey(), route.destinations(), route.createdAt());
  }
}
