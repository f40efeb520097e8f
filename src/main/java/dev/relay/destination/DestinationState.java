package dev.relay.destination;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.catalog.Outcome;
import dev.relay.core.CborSerializable;
import dev.relay.destination.DestinationEvent.ActionDiscarded;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.destination.DestinationEvent.ActionReplayed;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.DestinationCreated;
import dev.relay.destination.DestinationEvent.DestinationDeleted;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.destination.DestinationEvent.SourceConnected;
import dev.relay.destination.DestinationEvent.SourceDisconnected;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A destination's state: its configuration, its pending actions in due order and the messageIds it
 * queued recently (for de-duplication). Mutable for speed (a destination may hold many pending
 * actions); only {@link #apply} changes it. A snapshot is an immutable {@link Snapshot} copy, taken by
 * the entity's snapshot adapter; serialized directly (as the test kit checks it), the state is that
 * copy and its de-duplication bounds.
 */
public final class DestinationState implements CborSerializable {

  /** An action waiting for (another) attempt. */
  public record PendingAction(
      String itemId,
      String actionId,
      String messageId,
      ObjectNode event,
      int attempts,
      Instant queuedAt,
      Instant nextAttemptAt)
      implements CborSerializable {

    PendingAction retriedAt(int attempts, Instant next) {
      return new PendingAction(itemId, actionId, messageId, event, attempts, queuedAt, next);
    }
  }

  /** A recently queued messageId, for de-duplication. */
  public record SeenMessage(String messageId, Instant at) implements CborSerializable {}

  /**
   * The state as a snapshot keeps it: an immutable copy, taken in the entity's own thread, because
   * the snapshot store serializes it later on another.
   */
  public record Snapshot(
      DestinationConfig config, boolean deleted, List<PendingAction> pending, List<SeenMessage> seen)
      implements CborSerializable {}

  /** How many recent messageIds are remembered, and for how long. */
  record Dedup(int maxSize, Duration window) implements CborSerializable {}

  /** The state in serialized form. */
  record Serialized(Dedup dedup, Snapshot snapshot) implements CborSerializable {}

  /** A pending action's place in the due order. */
  record Due(Instant at, String itemId) implements Comparable<Due> {
    @Override
    public int compareTo(Due other) {
      int byTime = at.compareTo(other.at);
      return byTime != 0 ? byTime : itemId.compareTo(other.itemId);
    }
  }

  private final Dedup dedup;
  private DestinationConfig config;
  private boolean deleted;
  private final LinkedHashMap<String, PendingAction> pending = new LinkedHashMap<>();
  private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();
  /** Derived from {@code pending}; not part of a snapshot. */
  private final TreeSet<Due> dueOrder = new TreeSet<>();
  /** How many pending actions have been attempted before (derived from {@code pending}). */
  private int retrying;

  DestinationState(Dedup dedup) {
    this.dedup = dedup;
  }

  static DestinationState of(Snapshot snapshot, Dedup dedup) {
    DestinationState state = new DestinationState(dedup);
    state.config = snapshot.config();
    state.deleted = snapshot.deleted();
    snapshot.pending().forEach(state::putPending);
    snapshot.seen().forEach(s -> state.seen.put(s.messageId(), s.at()));
    return state;
  }

  @JsonValue
  Serialized serialized() {
    return new Serialized(dedup, snapshot());
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static DestinationState deserialized(Serialized serialized) {
    return of(serialized.snapshot(), serialized.dedup());
  }

  Snapshot snapshot() {
    return new Snapshot(config, deleted, pendingActions(), seenMessages());
  }

  public DestinationConfig config() {
    return config;
  }

  public boolean deleted() {
    return deleted;
  }

  public List<PendingAction> pendingActions() {
    return List.copyOf(pending.values());
  }

  List<SeenMessage> seenMessages() {
    return seen.entrySet().stream().map(e -> new SeenMessage(e.getKey(), e.getValue())).toList();
  }

  /** True once created and until deleted. */
  public boolean exists() {
    return config != null && !deleted;
  }

  public Optional<PendingAction> pending(String itemId) {
    return Optional.ofNullable(pending.get(itemId));
  }

  public int pendingCount() {
    return pending.size();
  }

  /** Pending actions attempted at least once, waiting for a retry. */
  public int retryingCount() {
    return retrying;
  }

  /** When the first pending action still pending was queued (insertion order is queue order). */
  public Optional<Instant> oldestQueuedAt() {
    return pending.isEmpty() ? Optional.empty() : Optional.of(pending.values().iterator().next().queuedAt());
  }

  /** The ids of every pending action. */
  List<String> pendingIds() {
    return List.copyOf(pending.keySet());
  }

  boolean seen(String messageId) {
    return seen.containsKey(messageId);
  }

  Iterable<Due> dueOrder() {
    return dueOrder;
  }

  /** The state after {@code event}: the entity's event handler. */
  DestinationState apply(DestinationEvent event) {
    if (event instanceof DestinationCreated e) {
      // A new object: Pekko keeps the empty state it was given once and starts every recovery
      // after a restart from it, so that one must never be changed.
      DestinationState created = new DestinationState(dedup);
      created.config = DestinationConfig.of(e);
      return created;
    } else if (DestinationConfig.changes(event)) {
      config = config.apply(event);
    } else if (event instanceof DestinationDeleted) {
      deleted = true;
    } else if (event instanceof ActionQueued e) {
      queued(e);
    } else if (event instanceof ActionReplayed e) {
      // Pending like any queued action, but its messageId is not remembered again: it was queued once.
      putPending(new PendingAction(
          e.itemId(), e.actionId(), e.event().path("messageId").asText(), e.event(), 0, e.queuedAt(), e.queuedAt()));
    } else if (event instanceof AttemptRecorded e) {
      attempted(e);
    } else if (event instanceof ActionDiscarded e) {
      e.itemIds().forEach(this::removePending);
    }
    // SourceConnected and SourceDisconnected were journaled by older versions, which kept a
    // connection in both entities; the source owns it now.
    return this;
  }

  private void queued(ActionQueued e) {
    if (e.test()) {
      return; // test calls are made at once and never queued
    }
    String messageId = e.event().path("messageId").asText();
    putPending(new PendingAction(e.itemId(), e.actionId(), messageId, e.event(), 0, e.queuedAt(), e.queuedAt()));
    remember(messageId, e.queuedAt());
  }

  private void attempted(AttemptRecorded e) {
    for (ItemOutcome item : e.items()) {
      PendingAction action = pending.get(item.itemId());
      if (action == null) {
        continue; // discarded while the attempt was in flight
      }
      if (item.outcome() == Outcome.RETRY && item.nextAttemptAt().isPresent()) {
        putPending(action.retriedAt(item.attempt(), item.nextAttemptAt().get()));
      } else {
        removePending(item.itemId());
      }
    }
  }

  private void putPending(PendingAction action) {
    PendingAction previous = pending.put(action.itemId(), action);
    if (previous != null) {
      dueOrder.remove(new Due(previous.nextAttemptAt(), previous.itemId()));
      retrying -= previous.attempts() > 0 ? 1 : 0;
    }
    dueOrder.add(new Due(action.nextAttemptAt(), action.itemId()));
    retrying += action.attempts() > 0 ? 1 : 0;
  }

  private void removePending(String itemId) {
    PendingAction removed = pending.remove(itemId);
    if (removed != null) {
      dueOrder.remove(new Due(removed.nextAttemptAt(), removed.itemId()));
      retrying -= removed.attempts() > 0 ? 1 : 0;
    }
  }

  private void remember(String messageId, Instant at) {
    seen.put(messageId, at);
    Iterator<Map.Entry<String, Instant>> oldest = seen.entrySet().iterator();
    Instant horizon = at.minus(dedup.window());
    while (oldest.hasNext()) {
      Map.Entry<String, Instant> entry = oldest.next();
      if (seen.size() > dedup.maxSize() || entry.getValue().isBefore(horizon)) {
        oldest.remove();
      } else {
        break;
      }
    }
  }
}
