package dev.relay.destination;

import dev.relay.destination.DestinationState.PendingAction;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Where a destination's pending actions are read from, beyond the window of them its entity keeps in
 * memory. Written with the journal (see {@link PendingTable}), so what it answers agrees with every
 * event journaled before the question.
 */
public interface PendingStore {

  /** How many actions are pending, how many of them were attempted before, and the oldest's queue time. */
  record Counts(int pending, int retrying, Optional<Instant> oldestQueuedAt) {}

  /** The first {@code limit} pending actions in due order, and the counts if they were asked for. */
  record Page(List<PendingAction> actions, Optional<Counts> counts) {}

  /** {@code counted}: count them all too (a scan of the destination's rows: not on every refill). */
  CompletionStage<Page> load(String destinationId, int limit, boolean counted);

  /** The counts alone (a scan of the destination's rows). */
  CompletionStage<Counts> count(String destinationId);

  /**
   * Up to {@code limit} pending actions of the given actions ({@code except}: of any other action), in
   * due order.
   */
  CompletionStage<List<String>> pendingOf(String destinationId, Collection<String> actionIds, boolean except, int limit);

  /** Which of {@code itemIds} are pending. */
  CompletionStage<Set<String>> pendingAmong(String destinationId, Collection<String> itemIds);
}
