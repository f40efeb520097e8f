package dev.relay.readside;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.destination.DestinationEvent;
import dev.relay.destination.DestinationTags;
import dev.relay.persistence.PooledJdbcSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * The journal projection: one instance per read-side tag ({@code dest-0} .. {@code dest-N-1}), each
 * following its tag with {@code eventsByTag} and writing groups of events to the query tables,
 * exactly once. The instances run as a sharded daemon process, so they spread over the cluster and
 * move to a surviving node when one goes.
 */
final class ActionLogProjection {

  static final String NAME = "journal";

  private ActionLogProjection() {}

  /**
   * Forgets where every instance is, in the transaction of {@code connection}, so that they replay
   * the journal from its start (pekko-projection-jdbc's offset table, by the name it gives it).
   */
  static void forgetOffsets(Connection connection) throws SQLException {
    try (PreparedStatement offsets =
        connection.prepareStatement("DELETE FROM \"pekko_projection_offset_store\" WHERE \"projection_name\" = ?")) {
      offsets.setString(1, NAME);
      offsets.executeUpdate();
    }
  }

  /** The projection ids, one per tag. */
  static List<ProjectionId> ids(DestinationTags tags) {
    return tags.all().stream().map(tag -> ProjectionId.of(NAME, tag)).toList();
  }

  static void init(
      ActorSystem<?> system,
      DestinationTags tags,
      ReadSideSettings settings,
      DataSource dataSource,
      SqlDialect dialect,
      ObjectMapper mapper) {
    List<ProjectionId> ids = ids(tags);
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "journal-projection",
            ids.size(),
            i -> ProjectionBehavior.create(projection(system, ids.get(i), settings, dataSource, dialect, mapper)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static GroupedProjection<Offset, EventEnvelope<DestinationEvent>> projection(
      ActorSystem<?> system,
      ProjectionId id,
      ReadSideSettings settings,
      DataSource dataSource,
      SqlDialect dialect,
      ObjectMapper mapper) {
    SourceProvider<Offset, EventEnvelope<DestinationEvent>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), id.key());
    ActionLogWriter writer = new ActionLogWriter(dialect, mapper);
    return JdbcProjection.groupedWithin(
            id,
            source,
            () -> new PooledJdbcSession(dataSource),
            () -> new ActionLogHandler(writer),
            system)
        .withGroup(settings.groupMaxEvents(), settings.groupMaxWait())
        .withRestartBackoff(settings.restartMinBackoff(), settings.restartMaxBackoff(), settings.restartRandomFactor());
  }
}
