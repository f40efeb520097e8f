package dev.relay.source;

import dev.relay.core.AsyncFailure;
import dev.relay.core.Ids;
import dev.relay.core.Problem;
import dev.relay.destination.DestinationCommand;
import dev.relay.destination.DestinationView;
import dev.relay.destination.Destinations;
import dev.relay.source.SourceEntity.Command;
import dev.relay.source.SourceEntity.Reply;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Sources and their connections to destinations, as the admin API uses them. A connection is
 * recorded once, by its source, and every node's {@link SourceDirectory} holds a copy; a
 * destination's list of its sources is derived from there. Each step is idempotent, so a failed
 * call is simply repeated.
 */
public final class Sources {

  public static final Set<String> TYPES = Set.of("server", "website");

  private final ClusterSharding sharding;
  private final Destinations destinations;
  private final SourceDirectory directory;
  private final Duration askTimeout;

  public Sources(ActorSystem<?> system, Destinations destinations, SourceDirectory directory, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.destinations = destinations;
    this.directory = directory;
    this.askTimeout = askTimeout;
  }

  public CompletionStage<SourceView> create(String name, String type) {
    if (name == null || name.isBlank()) {
      throw Problem.invalid("name: required");
    }
    if (type == null || !TYPES.contains(type)) {
      throw Problem.invalid("type: must be \"server\" or \"website\"");
    }
    String writeKey = Ids.random(32);
    return ask(Ids.newId("src"), replyTo -> new SourceEntity.Create(name, type, writeKey, replyTo))
        .thenCompose(this::publish)
        .thenApply(SourceView::of);
  }

  public CompletionStage<SourceView> get(String id) {
    return ask(id, SourceEntity.Get::new).thenApply(SourceView::of);
  }

  /** Every live source, oldest first, from this node's directory. */
  public CompletionStage<List<SourceView>> list() {
    return directory.all()
        .thenApply(
            routes ->
                routes.values().stream()
                    .filter(r -> !r.deleted())
                    .sorted(Comparator.comparing(SourceRoute::createdAt).thenComparing(SourceRoute::id))
                    .map(SourceView::of)
                    .toList());
  }

  /** Deletes the source; its write key stops working at once, and with it its connections. */
  public CompletionStage<SourceView> delete(String id) {
    return ask(id, SourceEntity.Get::new)
        .thenCompose(before -> ask(id, SourceEntity.Delete::new).thenCompose(this::publish).thenApply(deleted -> SourceView.of(before)));
  }

  /** Connects a source to a destination: its events go there from the next request on. */
  public CompletionStage<DestinationView> connect(String destinationId, String sourceId) {
    return destinations
        .ask(destinationId, DestinationCommand.Get::new)
        .thenCompose(exists -> ask(sourceId, r -> new SourceEntity.ConnectDestination(destinationId, r)))
        .thenCompose(this::publish)
        .thenCompose(route -> destinations.ask(destinationId, DestinationCommand.Get::new));
  }

  public CompletionStage<DestinationView> disconnect(String destinationId, String sourceId) {
    return disconnectFrom(sourceId, destinationId)
        .thenCompose(ignored -> destinations.ask(destinationId, DestinationCommand.Get::new));
  }

  /**
   * Disconnects a deleted destination from every source still connected to it, so ingest stops
   * sending there (until then it is sent nothing: a deleted destination accepts nothing).
   */
  public CompletionStage<Void> forgetDeletedDestination(String destinationId) {
    return directory
        .sourcesOf(destinationId)
        .thenCompose(sourceIds -> forEach(sourceIds, sourceId -> disconnectFrom(sourceId, destinationId)));
  }

  private CompletionStage<SourceRoute> disconnectFrom(String sourceId, String destinationId) {
    return ask(sourceId, r -> new SourceEntity.DisconnectDestination(destinationId, r))
        .thenCompose(this::publish)
        .exceptionally(
            failure -> {
              if (Problem.is(failure, Problem.Kind.NOT_FOUND)) {
                return null; // a deleted source is disconnected already
              }
              throw AsyncFailure.propagate(failure);
            });
  }

  private CompletionStage<SourceRoute> publish(SourceRoute route) {
    return directory
        .publish(route)
        .exceptionally(
            failure -> {
              throw Problem.unavailable(
                  "the change is saved but not every node confirmed it yet; repeat the call to confirm", failure);
            });
  }

  private CompletionStage<SourceRoute> ask(String sourceId, Function<ActorRef<Reply>, Command> command) {
    return sharding
        .entityRefFor(SourceEntity.TYPE_KEY, sourceId)
        .<Reply>ask(command::apply, askTimeout)
        .exceptionally(
            failure -> {
              throw AsyncFailure.timedOut(failure)
                  ? Problem.unavailable("source " + sourceId + " did not answer in time; try again", failure)
                  : AsyncFailure.propagate(failure);
            })
        .thenApply(
            reply -> {
              if (reply instanceof SourceEntity.Ok ok) {
                return ok.source();
              }
              if (reply instanceof SourceEntity.NotFound notFound) {
                throw Problem.notFound(notFound.message());
              }
              throw Problem.conflict(((SourceEntity.Conflict) reply).message());
            });
  }

  private static <T> CompletionStage<Void> forEach(List<String> ids, Function<String, CompletionStage<T>> action) {
    return CompletableFuture.allOf(ids.stream().map(id -> action.apply(id).toCompletableFuture()).toArray(CompletableFuture[]::new));
  }
}
