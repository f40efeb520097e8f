package dev.relay.destination;

import dev.relay.core.AsyncFailure;
import dev.relay.core.Problem;
import dev.relay.destination.DestinationReply.Ok;
import dev.relay.destination.DestinationReply.Rejected;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The destinations of the cluster, as the admin API uses them: commands to the sharded entities
 * and their replies as views or {@link Problem}s.
 */
public final class Destinations {

  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final ConnectedSources sources;

  public Destinations(ActorSystem<?> system, Duration askTimeout, ConnectedSources sources) {
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
    return send(id, command)
        .thenApply(Destinations::viewOrError)
        .thenCompose(view -> sources.of(id).thenApply(view::withSources));
  }

  /**
   * Queues {@code items} of destination {@code id} again (see {@link DestinationCommand.Replay});
   * a failed {@link Problem} when the destination is unknown or does not answer in time.
   */
  public CompletionStage<DestinationReply.Replayed> replay(String id, List<DestinationCommand.ReplayOf> items) {
    return send(id, replyTo -> new DestinationCommand.Replay(items, replyTo))
        .thenApply(
            reply -> {
              if (reply instanceof DestinationReply.Replayed replayed) {
                return replayed;
              }
              viewOrError(reply);
              throw new IllegalStateException("unexpected reply to a replay: " + reply);
            });
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

  /** The destination's reply, or unavailable when none came in time. */
  private CompletionStage<DestinationReply> send(String id, Function<ActorRef<DestinationReply>, DestinationCommand> command) {
    return sharding
        .entityRefFor(DestinationEntity.TYPE_KEY, id)
        .<DestinationReply>ask(command::apply, askTimeout)
        .exceptionally(
            failure -> {
              throw AsyncFailure.timedOut(failure)
                  ? Problem.unavailable("destination " + id + " did not answer in time; try again", failure)
                  : AsyncFailure.propagate(failure);
            });
  }

  private static DestinationView viewOrError(DestinationReply reply) {
    if (reply instanceof Ok ok) {
      return ok.destination();
    }
    Rejected rejected = (Rejected) reply;
    throw Problem.of(rejected.problem(), rejected.message());
  }
}
