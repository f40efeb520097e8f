package dev.relay.retention;

import dev.relay.destination.DestinationEntity;
import dev.relay.destination.DestinationEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * Deletes what the event journal and the snapshot store hold past the horizon, and only what no
 * reader needs: of each destination, the action records (queued, replayed, attempted, discarded;
 * {@link DestinationEvent#isActionRecord}) written before the cutoff and at or below its latest
 * snapshot, which is where its recovery starts; its creation, configuration and deletion stay (the
 * list of destinations, {@code DeletedDestinations} and a read-side rebuild read them), and so does
 * its highest event (the journal's record of its sequence number). Sources are never touched: every
 * node rebuilds its source directory from all of their events. Of the snapshots, each destination's
 * latest stays. Each delete is one short transaction of at most {@code batchSize} events.
 */
final class JournalRetention {

  /** Rows deleted, per table. */
  record Deleted(long events, long tags, long snapshots) {}

  private static final String DESTINATIONS = PersistenceId.of(DestinationEntity.TYPE_KEY.name(), "").id();

  private static final String LATEST_SNAPSHOTS =
      "SELECT \"persistence_id\", MAX(\"sequence_number\") FROM \"snapshot\" WHERE \"persistence_id\" LIKE ?"
          + " GROUP BY \"persistence_id\"";
  private static final String OLDER_SNAPSHOTS =
      "DELETE FROM \"snapshot\" WHERE \"persistence_id\" = ? AND \"sequence_number\" < ? AND \"created\" < ?";
  private static final String HIGHEST =
      "SELECT MAX(\"sequence_number\") FROM \"event_journal\" WHERE \"persistence_id\" = ?";
  // In sequence order along the primary key: a page costs what it returns.
  private static final String PAGE =
      "SELECT \"ordering\", \"sequence_number\", \"write_timestamp\", \"event_ser_manifest\" FROM \"event_journal\""
          + " WHERE \"persistence_id\" = ? AND \"sequence_number\" > ? AND \"sequence_number\" <= ?"
          + " ORDER BY \"sequence_number\" LIMIT ?";
  // One statement per page, the keys as an array (both databases look each up in the index).
  private static final String OLDEST_PENDING =
      "SELECT MIN(\"sequence_number\") FROM \"relay_pending\" WHERE \"destination_id\" = ?";
  private static final String DELETE_TAGS = "DELETE FROM \"event_tag\" WHERE \"event_id\" = ANY(?)";
  private static final String DELETE_EVENTS = "DELETE FROM \"event_journal\" WHERE \"ordering\" = ANY(?)";

  private final DataSource dataSource;
  private final int batchSize;

  JournalRetention(DataSource dataSource, int batchSize) {
    this.dataSource = dataSource;
    this.batchSize = batchSize;
  }

  /** Deletes what is older than {@code cutoff} and needed by nothing; stops early once {@code stop} says so. */
  Deleted deleteOlderThan(Instant cutoff, BooleanSupplier stop) throws SQLException {
    long cutoffMillis = cutoff.toEpochMilli();
    long events = 0;
    long tags = 0;
    long snapshots = 0;
    // Only a destination with a snapshot can have events its recovery no longer reads.
    for (Map.Entry<String, Long> latest : latestSnapshots().entrySet()) {
      if (stop.getAsBoolean()) {
        break;
      }
      String persistenceId = latest.getKey();
      snapshots += deleteOlderSnapshots(persistenceId, latest.getValue(), cutoffMillis);
      long[] deleted = deleteEvents(persistenceId, latest.getValue(), cutoffMillis, stop);
      events += deleted[0];
      tags += deleted[1];
    }
    return new Deleted(events, tags, snapshots);
  }

  private Map<String, Long> latestSnapshots() throws SQLException {
    Map<String, Long> latest = new LinkedHashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(LATEST_SNAPSHOTS)) {
      select.setString(1, DESTINATIONS + "%");
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          latest.put(rows.getString(1), rows.getLong(2));
        }
      }
      connection.commit();
    }
    return latest;
  }

  private int deleteOlderSnapshots(String persistenceId, long latest, long cutoffMillis) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement delete = connection.prepareStatement(OLDER_SNAPSHOTS)) {
      delete.setString(1, persistenceId);
      delete.setLong(2, latest);
      delete.setLong(3, cutoffMillis);
      int deleted = delete.executeUpdate();
      connection.commit();
      return deleted;
    }
  }

  /** The journal event of the destination's oldest pending action, or none (Long.MAX_VALUE). */
  private static long oldestPendingEvent(Connection connection, String persistenceId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(OLDEST_PENDING)) {
      select.setString(1, persistenceId.substring(persistenceId.indexOf('|') + 1));
      try (ResultSet rows = select.executeQuery()) {
        rows.next();
        long oldest = rows.getLong(1);
        return rows.wasNull() ? Long.MAX_VALUE : oldest;
      }
    }
  }

  /** Events and tags deleted: the action records at or below {@code snapshot} written before the cutoff. */
  private long[] deleteEvents(String persistenceId, long snapshot, long cutoffMillis, BooleanSupplier stop)
      throws SQLException {
    long events = 0;
    long tags = 0;
    try (Connection connection = dataSource.getConnection()) {
      // Nor an event a pending action still reads its event from (a disabled destination's may be old).
      long upTo = Math.min(Math.min(snapshot, highest(connection, persistenceId) - 1),
          oldestPendingEvent(connection, persistenceId) - 1);
      long after = 0;
      boolean young = false;
      while (!young && after < upTo && !stop.getAsBoolean()) {
        List<Long> orderings = new ArrayList<>();
        int read = 0;
        try (PreparedStatement page = connection.prepareStatement(PAGE)) {
          page.setString(1, persistenceId);
          page.setLong(2, after);
          page.setLong(3, upTo);
          page.setInt(4, batchSize);
          try (ResultSet rows = page.executeQuery()) {
            while (rows.next()) {
              read++;
              after = rows.getLong(2);
              long written = rows.getLong(3);
              // A destination's events are written in sequence: from the first young one on, all are.
              if (rows.wasNull() || written >= cutoffMillis) {
                young = true;
                break;
              }
              if (DestinationEvent.isActionRecord(rows.getString(4))) {
                orderings.add(rows.getLong(1));
              }
            }
          }
        }
        if (!orderings.isEmpty()) {
          tags += deleteAll(connection, DELETE_TAGS, orderings);
          events += deleteAll(connection, DELETE_EVENTS, orderings);
        }
        connection.commit();
        if (read < batchSize) {
          break;
        }
      }
    }
    return new long[] {events, tags};
  }

  private static long highest(Connection connection, String persistenceId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(HIGHEST)) {
      select.setString(1, persistenceId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? rows.getLong(1) : 0;
      }
    }
  }

  private static long deleteAll(Connection connection, String sql, List<Long> keys) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement(sql)) {
      delete.setArray(1, connection.createArrayOf("BIGINT", keys.toArray()));
      return delete.executeUpdate();
    }
  }
}
