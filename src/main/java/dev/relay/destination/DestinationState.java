package dev.relay.destination;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
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
import dev.relay.destination.DestinationEvent.PendingCarriedOver;
import dev.relay.destination.DestinationEvent.SourceConnected;
import dev.relay.destination.DestinationEvent.SourceDisconnected;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A destination's state: its configuration, the messageIds it queued recently (for de-duplication)
 * and its {@link Backlog} of pending actions, of which only a window of the next due is in memory (the
 * rest are in the pending table, written with the journal). Mutable for speed; only {@link #apply}
 * and the entity's loads change it. A snapshot is an immutable {@link Snapshot} copy without pending
 * actions, taken by the entity's snapshot adapter; serialized directly (as the test kit checks it),
 * the state is that copy and its bounds.
 *
 * <p>Destinations journaled by versions that kept every pending action in memory and snapshots are
 * recovered as they were ({@code legacy}), then carried over into the table by the entity.
 */
public final class DestinationState implements CborSerializable {

  /**
   * An action waiting for (another) attempt. {@code bodyHash}: the hash of the request body journaled with the action's latest attempt (see
   * {@link #bodyHashOf}); null before its first attempt and for actions of older versions.
   */
  public record PendingAction(
      String itemId,
      String actionId,
      String messageId,
      ObjectNode event,
      int attempts,
      Instant queuedAt,
      Instant nextAttemptAt,
      String bodyHash)
      implements CborSerializable {

    public PendingAction {
      // The precision the pending table keeps, so the window orders as the table does.
      queuedAt = queuedAt.truncatedTo(ChronoUnit.MICROS);
      nextAttemptAt = nextAttemptAt.truncatedTo(ChronoUnit.MICROS);
    }

    /** A newly queued action, not attempted yet. */
    static PendingAction queued(String itemId, String actionId, ObjectNode event, Instant queuedAt) {
      return new PendingAction(
          itemId, actionId, event.path("messageId").asText(), event, 0, queuedAt, queuedAt, null);
    }

    /** After an attempt that journaled the body with {@code bodyHash} (empty: the body as before). */
    PendingAction retriedAt(int attempts, Instant next, Optional<String> bodyHash) {
      return new PendingAction(
          itemId, actionId, messageId, event, attempts, queuedAt, next, bodyHash.orElse(this.bodyHash));
    }

    /**
     * A request body's hash (SHA-256, the first 16 bytes in Base64): what an action keeps to tell
     * whether its next request's body is the one already journaled. 2^-128 leaves no practical
     * chance of taking a changed body for the same.
     */
    static String bodyHashOf(String body) {
      try {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform has SHA-256", e);
      }
    }
  }

  /** A recently queued messageId, for de-duplication (as snapshots of older versions keep them). */
  public record SeenMessage(String messageId, Instant at) implements CborSerializable {}

  /**
   * The state as a snapshot keeps it: an immutable copy, taken in the entity's own thread, because
   * the snapshot store serializes it later on another. {@code pending} is empty once {@code
   * pendingInTable}; snapshots of older versions have them here. The recent messageIds are kept as
   * 64-bit digests with when each was queued ({@code seenDigests}, {@code seenMillis}: epoch millis,
   * each after the first as the difference from the one before), about 12 bytes each; snapshots of
   * older versions have them whole in {@code seen}.
   */
  public record Snapshot(
      DestinationConfig config,
      boolean deleted,
      List<PendingAction> pending,
      List<SeenMessage> seen,
      boolean pendingInTable,
      List<Long> seenDigests,
      List<Long> seenMillis)
      implements CborSerializable {

    /** As older versions took it. */
    public Snapshot(
        DestinationConfig config, boolean deleted, List<PendingAction> pending, List<SeenMessage> seen, boolean pendingInTable) {
      this(config, deleted, pending, seen, pendingInTable, null, null);
    }
  }

  /** How many recent messageIds are remembered, and for how long; how many pending actions in memory. */
  record Limits(int dedupSize, Duration dedupWindow, int window) implements CborSerializable {}

  /** The state in serialized form. */
  record Serialized(Limits limits, Snapshot snapshot) implements CborSerializable {}

  private final Limits limits;
  private DestinationConfig config;
  private boolean deleted;
  /** Recently queued messageIds, by their digest, in the order queued. */
  private final LinkedHashMap<Long, Instant> seen = new LinkedHashMap<>();
  /** False until the pending actions of an older version are carried over into the table. */
  private boolean pendingInTable;
  /** An older version's pending actions, recovered as it kept them, until they are carried over. */
  private final LinkedHashMap<String, PendingAction> legacy = new LinkedHashMap<>();
  /** Not serialized: a cache of the pending table, loaded after recovery. */
  @JsonIgnore private final Backlog backlog;

  DestinationState(Limits limits) {
    this.limits = limits;
    this.backlog = new Backlog(limits.window());
  }

  static DestinationState of(Snapshot snapshot, Limits limits) {
    DestinationState state = new DestinationState(limits);
    state.config = snapshot.config();
    state.deleted = snapshot.deleted();
    state.pendingInTable = snapshot.pendingInTable();
    if (!state.pendingInTable) {
      snapshot.pending().forEach(p -> state.legacy.put(p.itemId(), p));
    }
    if (snapshot.seen() != null) {
      snapshot.seen().forEach(s -> state.seen.put(digest(s.messageId()), s.at()));
    }
    if (snapshot.seenDigests() != null) {
      long millis = 0;
      for (int i = 0; i < snapshot.seenDigests().size(); i++) {
        millis += snapshot.seenMillis().get(i);
        state.seen.put(snapshot.seenDigests().get(i), Instant.ofEpochMilli(millis));
      }
    }
    return state;
  }

  @JsonValue
  Serialized serialized() {
    return new Serialized(limits, snapshot());
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static DestinationState deserialized(Serialized serialized) {
    return of(serialized.snapshot(), serialized.limits());
  }

  Snapshot snapshot() {
    List<Long> digests = new ArrayList<>(seen.size());
    List<Long> millis = new ArrayList<>(seen.size());
    long previous = 0;
    for (Map.Entry<Long, Instant> entry : seen.entrySet()) {
      digests.add(entry.getKey());
      long at = entry.getValue().toEpochMilli();
      millis.add(at - previous);
      previous = at;
    }
    return new Snapshot(config, deleted, List.copyOf(legacy.values()), List.of(), pendingInTable, digests, millis);
  }

  public DestinationConfig config() {
    return config;
  }

  public boolean deleted() {
    return deleted;
  }

  /** The pending actions in memory: the window of the next due ones. */
  public List<PendingAction> pendingActions() {
    return backlog.window();
  }


  /** True once created and until deleted. */
  public boolean exists() {
    return config != null && !deleted;
  }

  /** A pending action in the window (every action in flight is). */
  public Optional<PendingAction> pending(String itemId) {
    return backlog.get(itemId);
  }

  public int pendingCount() {
    return backlog.pending();
  }

  /** Pending actions attempted at least once, waiting for a retry. */
  public int retryingCount() {
    return backlog.retrying();
  }

  /** When the oldest pending action was queued. */
  public Optional<Instant> oldestQueuedAt() {
    return backlog.oldestQueuedAt();
  }

  Backlog backlog() {
    return backlog;
  }

  /** False while an older version's pending actions wait to be carried over into the table. */
  boolean pendingInTable() {
    return pendingInTable;
  }

  /** An older version's pending actions, recovered, to carry over. */
  List<PendingAction> legacyPending() {
    return List.copyOf(legacy.values());
  }

  boolean seen(String messageId) {
    return seen.containsKey(digest(messageId));
  }

  /**
   * A messageId's first 64 bits of SHA-256: two different ids collide about once in 2^64 (and a
   * client cannot make one of its ids collide with another's on purpose), at a fraction of an id's
   * size in memory and snapshots.
   */
  static long digest(String messageId) {
    MessageDigest sha = SHA_256.get();
    byte[] hash = sha.digest(messageId.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(hash, 0, 8).getLong();
  }

  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  });

  Iterable<Backlog.Due> dueOrder() {
    return backlog.dueOrder();
  }

  /** The state after {@code event}: the entity's event handler. */
  DestinationState apply(DestinationEvent event) {
    if (event instanceof DestinationCreated e) {
      // A new object: Pekko keeps the empty state it was given once and starts every recovery
      // after a restart from it, so that one must never be changed.
      DestinationState created = new DestinationState(limits);
      created.config = DestinationConfig.of(e);
      return created;
    } else if (DestinationConfig.changes(event)) {
      config = config.apply(event);
    } else if (event instanceof DestinationDeleted) {
      deleted = true;
    } else if (event instanceof PendingCarriedOver e) {
      e.actions().forEach(p -> legacy.remove(p.itemId()));
      pendingInTable = pendingInTable || e.last();
    } else if (event instanceof ActionQueued e) {
      queued(e);
    } else if (event instanceof ActionReplayed e) {
      // Pending like any queued action, but its messageId is not remembered again: it was queued once.
      putPending(PendingAction.queued(e.itemId(), e.actionId(), e.event(), e.queuedAt()));
    } else if (event instanceof AttemptRecorded e) {
      attempted(e);
    } else if (event instanceof ActionDiscarded e) {
      e.itemIds().forEach(this::discarded);
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
    putPending(PendingAction.queued(e.itemId(), e.actionId(), e.event(), e.queuedAt()));
    remember(messageId, e.queuedAt());
  }

  private void attempted(AttemptRecorded e) {
    Optional<String> bodyHash = e.bodyHashForRetries();
    for (ItemOutcome item : e.items()) {
      if (!pendingInTable) {
        PendingAction action = legacy.get(item.itemId());
        if (action != null && item.outcome() == Outcome.RETRY && item.nextAttemptAt().isPresent()) {
          legacy.put(action.itemId(), action.retriedAt(item.attempt(), item.nextAttemptAt().get(), bodyHash));
        } else {
          legacy.remove(item.itemId());
        }
      } else if (item.outcome() == Outcome.RETRY && item.nextAttemptAt().isPresent()) {
        backlog.retried(item.itemId(), item.attempt(), item.nextAttemptAt().get(), bodyHash);
      } else {
        backlog.finished(item.itemId());
      }
    }
  }

  private void putPending(PendingAction action) {
    if (pendingInTable) {
      backlog.queued(action);
    } else {
      legacy.put(action.itemId(), action);
    }
  }

  private void discarded(String itemId) {
    if (pendingInTable) {
      backlog.discarded(itemId);
    } else {
      legacy.remove(itemId);
    }
  }

  private void remember(String messageId, Instant at) {
    seen.put(digest(messageId), at);
    Iterator<Map.Entry<Long, Instant>> oldest = seen.entrySet().iterator();
    Instant horizon = at.minus(limits.dedupWindow());
    while (oldest.hasNext()) {
      Map.Entry<Long, Instant> entry = oldest.next();
      if (seen.size() > limits.dedupSize() || entry.getValue().isBefore(horizon)) {
        oldest.remove();
      } else {
        break;
      }
    }
  }
}
