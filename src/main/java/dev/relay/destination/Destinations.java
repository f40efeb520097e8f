package dev.relay.destination;

import dev.relay.http.ApiError;
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
 * and their replies as views or {@link ApiError}s.
 */
public final class Destinations {

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final JdbcReadJournal readJournal;
  private final Duration askTimeout;

  public Destinations(ActorSystem<?> system, Duration askTimeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.readJournal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    this.askTimeout = askTimeout;
  }

  /** Sends {@code command} to destination {@code id}; the view on success, else a failed ApiError. */
  public CompletionStage<DestinationView> ask(String id, Function<ActorRef<DestinationReply>, DestinationCommand> command) {
    return sharding
        .entityRefFor(DestinationEntity.TYPE_KEY, id)
        .<DestinationReply>ask(command::apply, askTimeout)
        .exceptionally(
            failure -> {
              throw ApiError.unavailable("destination " + id + " did not answer in time; try again");
            })
        .thenApply(Destinations::viewOrError);
  }

  public CompletionStage<Optional<DestinationView>> find(String id) {
    return ask(id, DestinationCommand.Get::new)
        .thenApply(Optional::of)
        .exceptionally(
            failure -> {
              Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
              if (cause instanceof ApiError error && error.status() == 404) {
                return Optional.empty();
              }
              throw failure instanceof RuntimeException r ? r : new IllegalStateException(failure);
            });
  }

  /**
   * Every destination, oldest first. The ids come from the journal's directory tag (creations and
   * deletions only, read through an index), the details from each entity.
   */
  public CompletionStage<List<DestinationView>> list() {
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
      case NOT_FOUND -> ApiError.notFound(rejected.message());
      case INVALID -> ApiError.badRequest(rejected.message());
      case CONFLICT -> ApiError.conflict(rejected.message());
    };
  }
}
