package dev.relay.destination;

import dev.relay.core.CborSerializable;
import dev.relay.delivery.Exchange;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a destination's entity sends itself: timers and answers to the requests it made. Never sent
 * from outside the entity, so never across nodes.
 */
sealed interface InternalCommand extends DestinationCommand {

  /** The retry timer: attempt what is due. */
  record DeliverDue() implements InternalCommand {}

  /**
   * What the entity handles while it waits for a read of the pending table (every other command waits
   * in the stash): the answers, and what only records an answer for later.
   */
  sealed interface Answer extends InternalCommand {}

  /** An attempt came back (from the destination or with a network error). */
  record AttemptFinished(String actionId, List<ItemAttempt> items, Exchange exchange, int generation)
      implements Answer {}

  /** Recovered with an older version's pending actions in memory: move them into the pending table. */
  record CarryOver() implements Answer {}

  /** Read the next due pending actions into the window, then send {@code then} to itself. */
  record Refill(Optional<DestinationCommand> then) implements InternalCommand {}

  /** The window's read came back. */
  record Loaded(int generation, PendingStore.Page page, Optional<DestinationCommand> then) implements Answer {}

  /**
   * After the first window of a recovery: count the pending actions, then send {@code then} to itself.
   * Carried by that window's read (its {@code then}) and by a failed count's retry; never sent alone.
   */
  record Count(Optional<DestinationCommand> then) implements InternalCommand {}

  /** The count came back. */
  record Counted(int generation, PendingStore.Counts counts, Optional<DestinationCommand> then, long startedAt)
      implements Answer {}

  /** A read of the pending table failed; {@code retry} is what to do again. */
  record LoadFailed(int generation, Throwable failure, DestinationCommand retry) implements Answer {}

  /** The pause after a failed read is over: {@code command} again. */
  record Retry(int generation, DestinationCommand command) implements Answer {}

  /** Discard a page of pending actions whose action or destination is gone, if there are any. */
  record DiscardOrphans() implements InternalCommand {}

  /** A page of pending actions whose action or destination is gone (empty: none left). */
  record Orphans(int generation, List<String> itemIds, String reason) implements Answer {}

  /** Which originals of a replay are still pending, by the pending table. */
  record ReplayChecked(int generation, DestinationCommand.Replay replay, Set<String> pending) implements Answer {}

  /** The test calls came back. */
  record TestsFinished(List<TestCall> calls, ActorRef<TestReport> replyTo, int generation) implements InternalCommand {}

  record TestCall(String itemId, String actionId, String actionName, Exchange exchange) implements CborSerializable {}

  /** Journal the attempts finished since the last time, in one write. */
  record RecordFinishedAttempts() implements InternalCommand {}

  /** Sharding's stop message, after passivation. */
  record Stop() implements InternalCommand {}

  record ItemAttempt(String itemId, int attempt) implements CborSerializable {}
}
