package dev.relay.destination;

import dev.relay.destination.DestinationState.PendingAction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A destination's pending actions as its entity sees them: a window of the next due ones in memory,
 * the rest in the {@link PendingStore}, and how many there are. The window holds every pending action
 * due at or before its horizon (all of them when it is complete), at most about {@code capacity} of
 * them besides those in flight; it is refilled from the store in due order when fewer than half are
 * left to send. Counts are those of the last load, kept up to date by the events since.
 *
 * <p>Not event-sourced: a cache of the store, empty (not loaded) during recovery and loaded when it
 * completes; every event changes it as it changes the store.
 */
final class Backlog {

  /** A pending action's place in the due order. */
  record Due(Instant at, String itemId) implements Comparable<Due> {
    @Override
    public int compareTo(Due other) {
      int byTime = at.compareTo(other.at);
      return byTime != 0 ? byTime : itemId.compareTo(other.itemId);
    }

    static Due of(PendingAction action) {
      return new Due(action.nextAttemptAt(), action.itemId());
    }
  }

  private final int capacity;
  private final TreeMap<Due, PendingAction> byDue = new TreeMap<>();
  private final Map<String, PendingAction> byId = new HashMap<>();
  private boolean loaded;
  /** Every pending action is in the window. */
  private boolean complete;
  /** Every pending action due at or before this is in the window (when not complete). */
  private Due horizon;
  private int pending;
  private int retrying;
  private Instant oldestQueuedAt;

  Backlog(int capacity) {
    this.capacity = capacity;
  }

  boolean loaded() {
    return loaded;
  }

  /** A new destination: nothing pending, nothing to load. */
  void startEmpty() {
    replace(List.of(), Optional.of(new PendingStore.Counts(0, 0, Optional.empty())), 1, id -> false);
  }

  /**
   * The store's first {@code limit} actions in due order, read while nothing was journaled, and the
   * counts if they were read too (else those kept since the last). Actions in flight keep the
   * window's copy.
   */
  void replace(
      List<PendingAction> page, Optional<PendingStore.Counts> counted, int limit, Predicate<String> inFlight) {
    Map<String, PendingAction> flying = new HashMap<>();
    byId.forEach((id, action) -> {
      if (inFlight.test(id)) {
        flying.put(id, action);
      }
    });
    byDue.clear();
    byId.clear();
    for (PendingAction action : page) {
      put(flying.getOrDefault(action.itemId(), action));
    }
    complete = page.size() < limit;
    horizon = page.isEmpty() ? null : byDue.lastKey();
    counted.ifPresent(this::counted);
    loaded = true;
  }

  /** The store's counts, read after the window (and while nothing was journaled since). */
  void counted(PendingStore.Counts counts) {
    pending = counts.pending();
    retrying = counts.retrying();
    oldestQueuedAt = counts.oldestQueuedAt().orElse(null);
  }

  /** An action newly queued. */
  void queued(PendingAction action) {
    pending++;
    if (oldestQueuedAt == null) {
      oldestQueuedAt = action.queuedAt();
    }
    if (covers(Due.of(action))) {
      put(action);
    }
  }

  /** An attempt of {@code itemId} failed and it is retried at {@code next}; false if it was not pending. */
  boolean retried(String itemId, int attempts, Instant next, Optional<String> bodyHash) {
    PendingAction action = byId.get(itemId);
    if (action == null) {
      return false; // discarded while in flight (what is in flight is always in the window)
    }
    remove(action);
    if (action.attempts() == 0 && attempts > 0) {
      retrying++;
    }
    PendingAction retried = action.retriedAt(attempts, next, bodyHash);
    if (covers(Due.of(retried))) {
      put(retried);
    }
    return true;
  }

  /** {@code itemId} is delivered or failed for good; false if it was not pending. */
  boolean finished(String itemId) {
    PendingAction action = byId.get(itemId);
    if (action == null) {
      return false;
    }
    remove(action);
    count(action);
    return true;
  }

  /**
   * {@code itemId} is discarded. Discards name pending actions only (read from the store while
   * nothing was journaled, or queued in the same write), in the window or not.
   */
  void discarded(String itemId) {
    PendingAction action = byId.get(itemId);
    if (action != null) {
      remove(action);
      count(action);
    } else {
      pending = Math.max(0, pending - 1);
    }
  }

  private void count(PendingAction gone) {
    pending = Math.max(0, pending - 1);
    if (gone.attempts() > 0) {
      retrying = Math.max(0, retrying - 1);
    }
    if (pending == 0) {
      oldestQueuedAt = null;
    }
  }

  private boolean covers(Due due) {
    return loaded && (complete || horizon != null && due.compareTo(horizon) <= 0);
  }

  private void put(PendingAction action) {
    byDue.put(Due.of(action), action);
    byId.put(action.itemId(), action);
  }

  private void remove(PendingAction action) {
    byDue.remove(Due.of(action));
    byId.remove(action.itemId());
  }

  /**
   * Keeps the window within its capacity besides the {@code inFlightCount} actions in flight (all of
   * them in it): the latest due actions not in flight leave it (they stay in the store), and the
   * horizon moves before them.
   */
  void trim(Predicate<String> inFlight, int inFlightCount) {
    if (byDue.size() - inFlightCount <= capacity) {
      return;
    }
    Iterator<Map.Entry<Due, PendingAction>> latest = byDue.descendingMap().entrySet().iterator();
    List<PendingAction> dropped = new ArrayList<>();
    while (byDue.size() - dropped.size() - inFlightCount > capacity && latest.hasNext()) {
      PendingAction action = latest.next().getValue();
      if (!inFlight.test(action.itemId())) {
        dropped.add(action);
      }
    }
    dropped.forEach(this::remove);
    if (!dropped.isEmpty()) {
      complete = false;
      // Everything at or before the earliest dropped one's predecessor is still here.
      Due earliestDropped = Due.of(dropped.get(dropped.size() - 1));
      horizon = byDue.lowerKey(earliestDropped);
      if (horizon == null) {
        horizon = new Due(Instant.MIN, "");
      }
    }
  }

  /** True when the store holds actions the window lacks and fewer than half the window are left to send. */
  boolean needsRefill(int inFlight) {
    return loaded && !complete && byDue.size() - inFlight < Math.max(1, capacity / 2);
  }

  int capacity() {
    return capacity;
  }

  Optional<PendingAction> get(String itemId) {
    return Optional.ofNullable(byId.get(itemId));
  }

  Iterable<Due> dueOrder() {
    return byDue.keySet();
  }

  List<PendingAction> window() {
    return List.copyOf(byDue.values());
  }

  int pending() {
    return pending;
  }

  int retrying() {
    return retrying;
  }

  Optional<Instant> oldestQueuedAt() {
    return Optional.ofNullable(oldestQueuedAt);
  }
}
