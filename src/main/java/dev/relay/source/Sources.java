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
 * Sources and their connections to destinations, as the admin API uses them. A connection lives in
 * both entities (the destination lists its sources; the source routes to its destinations) and in
 * every node's {@link SourceDirectory}; each step is idempotent, so a failed call is simply repeated.
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

  /** Deletes the source; its write key stops working at once, and its destinations forget it. */
  public CompletionStage<SourceView> delete(String id) {
    return ask(id, SourceEntity.Get::new)
        .thenCompose(
            before ->
                ask(id, SourceEntity.Delete::new)
                    .thenCompose(this::publish)
                    .thenCompose(
                        deleted ->
                            forEach(
                                before.destinations(),
                                destinationId ->
                                    destinations
                                        .ask(destinationId, r -> new DestinationCommand.DisconnectSource(id, r))
                                        .exceptionally(gone -> null)))
                    .thenApply(done -> SourceView.of(before)));
  }

  /** Connects a source to a destination: its events go there from the next request on. */
  public CompletionStage<DestinationView> connect(String destinationId, String sourceId) {
    return destinations
        .ask(destinationId, DestinationCommand.Get::new)
        .thenCompose(exists -> get(sourceId))
        .thenCompose(source -> destinations.ask(destinationId, r -> new DestinationCommand.ConnectSource(sourceId, r)))
        .thenCompose(
            view ->
                ask(sourceId, r -> new SourceEntity.ConnectDestination(destinationId, r))
                    .thenCompose(this::publish)
                    .thenApply(route -> view));
  }

  public CompletionStage<DestinationView> disconnect(String destinationId, String sourceId) {
    return ask(sourceId, r -> new SourceEntity.DisconnectDestination(destinationId, r))
        .thenCompose(this::publish)
        .exceptionally(
            failure -> {
              if (Problem.is(failure, Problem.Kind.NOT_FOUND)) {
                return null; // a deleted source is disconnected already
              }
              throw AsyncFailure.propagate(failure);
            })
        .thenCompose(ignored -> destinations.ask(destinationId, r -> new DestinationCommand.DisconnectSource(sourceId, r)));
  }

  /** Deletes a destination and disconnects it from its sources, so ingest stops sending there. */
  public CompletionStage<DestinationView> deleteDestination(String destinationId) {
    return destinations
        .ask(destinationId, DestinationCommand.Delete::new)
        .thenCompose(
            deleted ->
                forEach(
                    deleted.sources(),
                    sourceId ->
                        ask(sourceId, r -> new SourceEntity.DisconnectDestination(destinationId, r))
                            .thenCompose(this::publish)
                            .exceptionally(
                                failure -> {
                                  if (Problem.is(failure, Problem.Kind.NOT_FOUND)) {
                                    return null;
                                  }
                                  throw AsyncFailure.propagate(failure);
                                }))
                    .thenApply(done -> deleted));
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
