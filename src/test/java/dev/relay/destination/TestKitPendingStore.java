package dev.relay.destination;

import dev.relay.catalog.Outcome;
import dev.relay.destination.DestinationEvent.ActionDiscarded;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.destination.DestinationEvent.ActionReplayed;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.destination.DestinationEvent.PendingCarriedOver;
import dev.relay.destination.DestinationState.PendingAction;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;

/**
 * The pending table as the persistence test kit's in-memory journal implies it: every question is
 * answered by folding the destination's journaled events, as {@link PendingTable}'s rows follow them.
 */
final class TestKitPendingStore implements PendingStore {

  private final PersistenceTestKit journal;

  TestKitPendingStore(ActorSystem<?> system) {
    this.journal = PersistenceTestKit.create(system);
  }

  /** The pending actions of {@code destinationId}, in due order. */
  List<PendingAction> pending(String destinationId) {
    Map<String, PendingAction> pending = new LinkedHashMap<>();
    for (Object stored : journal.persistedInStorage("Destination|" + destinationId)) {
      Object event = stored instanceof Tagged tagged ? tagged.payload() : stored;
      if (event instanceof ActionQueued e && !e.test()) {
        pending.put(e.itemId(), PendingAction.queued(e.itemId(), e.actionId(), e.event(), e.queuedAt()));
      } else if (event instanceof ActionReplayed e) {
        pending.put(e.itemId(), PendingAction.queued(e.itemId(), e.actionId(), e.event(), e.queuedAt()));
      } else if (event instanceof PendingCarriedOver e) {
        e.actions().forEach(p -> pending.put(p.itemId(), p));
      } else if (event instanceof AttemptRecorded e) {
        for (ItemOutcome item : e.items()) {
          PendingAction action = pending.get(item.itemId());
          if (action != null && item.outcome() == Outcome.RETRY && item.nextAttemptAt().isPresent()) {
            pending.put(item.itemId(), action.retriedAt(item.attempt(), item.nextAttemptAt().get(), e.journaledBodyHash()));
          } else {
            pending.remove(item.itemId());
          }
        }
      } else if (event instanceof ActionDiscarded e) {
        e.itemIds().forEach(pending::remove);
      }
    }
    return pending.values().stream()
        .sorted(Comparator.comparing(PendingAction::nextAttemptAt).thenComparing(PendingAction::itemId))
        .toList();
  }

  @Override
  public CompletionStage<Page> load(String destinationId, int limit, boolean counted) {
    List<PendingAction> all = pending(destinationId);
    return CompletableFuture.completedFuture(
        new Page(all.stream().limit(limit).toList(), counted ? Optional.of(counts(all)) : Optional.empty()));
  }

  @Override
  public CompletionStage<Counts> count(String destinationId) {
    return CompletableFuture.completedFuture(counts(pending(destinationId)));
  }

  private static Counts counts(List<PendingAction> all) {
    return new Counts(
        all.size(),
        (int) all.stream().filter(p -> p.attempts() > 0).count(),
        all.stream().map(PendingAction::queuedAt).min(Instant::compareTo).map(Optional::of).orElse(Optional.empty()));
  }

  @Override
  public CompletionStage<List<String>> pendingOf(
      String destinationId, Collection<String> actionIds, boolean except, int limit) {
    return CompletableFuture.completedFuture(
        pending(destinationId).stream()
            .filter(p -> actionIds.contains(p.actionId()) != except)
            .limit(limit)
            .map(PendingAction::itemId)
            .toList());
  }

  @Override
  public CompletionStage<Set<String>> pendingAmong(String destinationId, Collection<String> itemIds) {
    return CompletableFuture.completedFuture(
        pending(destinationId).stream().map(PendingAction::itemId).filter(itemIds::contains).collect(Collectors.toSet()));
  }
}
