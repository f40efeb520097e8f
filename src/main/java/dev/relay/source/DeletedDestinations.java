package dev.relay.source;

import dev.relay.destination.DestinationEvent;
import dev.relay.destination.DestinationTags;
import dev.relay.persistence.PooledJdbcSession;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Follows every destination's deletion through to its sources: a projection of the destinations'
 * directory tag that disconnects each deleted destination from the sources still connected to it,
 * so ingest stops sending there. At least once, from a stored offset: a deletion is followed
 * through even when the node that took it stops right after (disconnecting twice is harmless).
 * One instance in the cluster.
 */
public final class DeletedDestinations extends Handler<EventEnvelope<DestinationEvent>> {

  static final String NAME = "deleted-destinations";

  private final SourceDirectory directory;
  private final Sources sources;

  private DeletedDestinations(SourceDirectory directory, Sources sources) {
    this.directory = directory;
    this.sources = sources;
  }

  public static void start(
      ActorSystem<?> system, DataSource dataSource, SourceDirectory directory, Sources sources, Duration minBackoff, Duration maxBackoff) {
    var projection =
        JdbcProjection.atLeastOnceAsync(
                ProjectionId.of(NAME, DestinationTags.DIRECTORY),
                EventSourcedProvider.<DestinationEvent>eventsByTag(system, JdbcReadJournal.Identifier(), DestinationTags.DIRECTORY),
                () -> new PooledJdbcSession(dataSource),
                () -> new DeletedDestinations(directory, sources),
                system)
            .withRestartBackoff(minBackoff, maxBackoff, 0.2);
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            NAME,
            1,
            i -> ProjectionBehavior.create(projection),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  @Override
  public CompletionStage<Done> process(EventEnvelope<DestinationEvent> envelope) {
    if (!(envelope.event() instanceof DestinationEvent.DestinationDeleted)) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    String pid = envelope.persistenceId();
    String destinationId = pid.substring(pid.indexOf('|') + 1);
    // The connections are read from this node's copy of the directory: only once it is loaded.
    return directory.loaded()
        .thenCompose(loaded -> sources.forgetDeletedDestination(destinationId))
        .thenApply(done -> Done.getInstance());
  }
}
