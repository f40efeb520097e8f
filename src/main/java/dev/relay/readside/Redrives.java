package dev.relay.readside;

import dev.relay.core.Problem;
import dev.relay.destination.DestinationCommand.ReplayOf;
import dev.relay.destination.Destinations;
import dev.relay.logging.LogFields;
import dev.relay.readside.ActionLogRepository.RedriveScope;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redrives: a destination's finished actions that match a journal query, queued again in the
 * background. Pages are read from the query tables oldest first and each is handed to the destination
 * as one command, the next only once it answered and has room (fewer pending actions than {@code
 * pending-limit}), so a redrive of any size holds one page in memory and ingest keeps its turn.
 * One redrive per destination runs on a node at a time.
 */
final class Redrives {

  private static final Logger log = LoggerFactory.getLogger(Redrives.class);

  private final ActorSystem<?> system;
  private final ActionLogRepository repository;
  private final Destinations destinations;
  private final int pageSize;
  private final int pendingLimit;
  private final Duration pause;
  private final Set<String> running = ConcurrentHashMap.newKeySet();

  Redrives(ActorSystem<?> system, ActionLogRepository repository, Destinations destinations, ReadSideSettings settings) {
    this.system = system;
    this.repository = repository;
    this.destinations = destinations;
    this.pageSize = settings.redrivePageSize();
    this.pendingLimit = settings.redrivePendingLimit();
    this.pause = settings.redrivePause();
  }

  /**
   * Starts a redrive of the destination's actions matching {@code query}; completes with how many
   * match once their scope is fixed, while the redrive goes on.
   */
  CompletionStage<Long> start(String destinationId, ActionLogQuery query) {
    if (!running.add(destinationId)) {
      return CompletableFuture.failedFuture(
          Problem.conflict("a redrive of destination " + destinationId + " is under way; watch it in the journal"));
    }
    return repository
        .redriveScope(destinationId, query)
        .whenComplete(
            (scope, failure) -> {
              if (failure != null || scope.count() == 0) {
                running.remove(destinationId);
              } else {
                run(destinationId, query, scope);
              }
            })
        .thenApply(RedriveScope::count);
  }

  private void run(String destinationId, ActionLogQuery query, RedriveScope scope) {
    LogFields.with(LogFields.DESTINATION_ID, destinationId, () ->
        log.info("Redrive of destination {}: {} actions to queue again", destinationId, scope.count()));
    Source.unfoldAsync(
            Optional.<Cursor>empty(),
            after ->
                repository
                    .redrivePage(destinationId, query, scope, after, pageSize)
                    .thenApply(
                        page ->
                            page.items().isEmpty()
                                ? Optional.<Pair<Optional<Cursor>, List<ReplayOf>>>empty()
                                : Optional.of(Pair.create(Optional.of(page.last()), page.items()))))
        .mapAsync(1, page -> whenRoom(destinationId).thenCompose(room -> destinations.replay(destinationId, page)))
        .runWith(
            Sink.fold(
                new long[2],
                (counts, replayed) -> {
                  counts[0] += replayed.replayedAs().size();
                  counts[1] += replayed.skipped().size();
                  return counts;
                }),
            system)
        .whenComplete(
            (counts, failure) -> {
              running.remove(destinationId);
              if (failure == null) {
                // Skipped: their action was removed or disabled since (so a discarded action often is).
                LogFields.with(LogFields.DESTINATION_ID, destinationId, () ->
                    log.info("Redrive of destination {} done: {} actions queued again, {} skipped", destinationId, counts[0], counts[1]));
              } else {
                // What was queued stays queued, and linked: a new redrive takes up the rest.
                LogFields.with(LogFields.DESTINATION_ID, destinationId, () ->
                    log.warn("Redrive of destination {} stopped; redrive again for the rest", destinationId, failure));
              }
            });
  }

  /** Completes once the destination has fewer pending actions than the limit. */
  private CompletionStage<Done> whenRoom(String destinationId) {
    return destinations
        .replay(destinationId, List.of())
        .thenCompose(
            answer ->
                answer.pending() < pendingLimit
                    ? CompletableFuture.completedFuture(Done.getInstance())
                    : Patterns.after(
                        pause, system.classicSystem().scheduler(), system.executionContext(), () -> whenRoom(destinationId)));
  }
}
