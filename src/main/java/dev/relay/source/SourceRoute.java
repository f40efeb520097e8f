package dev.relay.source;

import dev.relay.core.CborSerializable;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;

/**
 * What ingest needs to know of a source: its write key and the destinations it feeds. Every change
 * makes a new {@code version}, so when copies meet, the newest wins. A deleted source stays as a
 * tombstone, so an older copy cannot bring it back.
 */
public record SourceRoute(
    String id,
    String name,
    String type,
    String writeKey,
    List<String> destinations,
    boolean deleted,
    long version,
    Instant createdAt)
    implements CborSerializable {

  SourceRoute withDestination(String destinationId, boolean connected) {
    TreeSet<String> updated = new TreeSet<>(destinations);
    if (connected) {
      updated.add(destinationId);
    } else {
      updated.remove(destinationId);
    }
    return new SourceRoute(id, name, type, writeKey, List.copyOf(updated), deleted, version + 1, createdAt);
  }

  SourceRoute asDeleted() {
    return new SourceRoute(id, name, type, writeKey, List.of(), true, version + 1, createdAt);
  }
}
