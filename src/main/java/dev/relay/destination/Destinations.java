package dev.relay.destination;

import dev.relay.core.AsyncFailure;
import dev.relay.core.Problem;
import dev.relay.destination.DestinationReply.Ok;
import dev.relay.destination.DestinationReply.Rejected;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The destinations of the cluster, as the admin API uses them: commands to the sharded entities
 * and their replies as views or {@link Problem}s.
 */
public final class Destinations {

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final ConnectedSources sources;

  public Destinations(ActorSystem<?> system, Duration askTimeout, ConnectedSources sources) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
    this.sources = sources;
  }

  /**
   * Sends {@code command} to destination {@code id}; the view on success (with the sources that feed
   * it), else a failed {@link Problem} (rejected, or unavailable when no answer came in time). Any
   * other failure is passed on as it is: it is a fault, not the destination being slow.
   */
  public CompletionStage<DestinationView> ask(String id, Function<ActorRef<DestinationReply>, DestinationCommand> command) {
    return sharding
        .entityRefFor(DestinationEntity.TYPE_KEY, id)
        .<DestinationReply>ask(command::apply, askTimeout)
        .exceptionally(
            failure -> {
              throw AsyncFailure.timedOut(failure)
                  ? Problem.unavailable("destination " + id + " did not answer in time; try again", failure)
                  : AsyncFailure.propagate(failure);
            })
        .thenApply(Destinations::viewOrError)
        .thenCompose(view -> sources.of(id).thenApply(view::withSources));
  }

  public CompletionStage<Optional<DestinationView>> find(String id) {
    return ask(id, DestinationCommand.Get::new)
        .thenApply(Optional::of)
        .exceptionally(
            failure -> {
              if (Problem.is(failure, Problem.Kind.NOT_FOUND)) {
                return Optional.empty();
              }
              throw AsyncFailure.propagate(failure);
            });
  }

  /**
   * Every destination, oldest first. The ids come from the journal's directory tag (creations and
   * deletions only, read through an index), the details from each entity.
   */
  public CompletionStage<List<DestinationView>> list() {
    // Looked up on use (Pekko keeps one per system), so asks alone need no read journal.
    JdbcReadJournal readJournal =
        PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return readJournal
        .currentEventsByTag(DestinationTags.DIRECTORY, Offset.noOffset())
        .runWith(
            Sink.fold(
                new LinkedHashSet<String>(),
                (ids, envelope) -> {
                  String id = envelope.persistenceId().substring(envelope.persistenceId().indexOf('|') + 1);
                  if (envelope.event() instanceof DestinationEvent.DestinationDeleted) {
                    ids.remove(id);
                  } else {
                    ids.add(id);
                  }
                  return ids;
                }),
            system)
        .thenCompose(
            ids -> {
              List<CompletableFuture<Optional<DestinationView>>> views = new ArrayList<>();
              ids.forEach(id -> views.add(find(id).toCompletableFuture()));
              return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new))
                  .thenApply(done -> views.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList());
            });
  }

  private static DestinationView viewOrError(DestinationReply reply) {
    if (reply instanceof Ok ok) {
      return ok.destination();
    }
    Rejected rejected = (Rejected) reply;
    throw switch (rejected.problem()) {
      case NOT_FOUND -> Problem.notFound(rejected.message());
      case INVALID -> Problem.invalid(rejected.message());
      case CONFLICT -> Problem.conflict(rejected.message());
    };
  }
}
