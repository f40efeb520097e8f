package dev.relay.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.relay.RelayConfig;
import dev.relay.RelaySettings;
import dev.relay.catalog.Outcome;
import dev.relay.catalog.OutgoingRequest;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.persistence.Database;
import dev.relay.readside.ActionLogChanges.Journaled;
import dev.relay.testing.Backend;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On PostgreSQL the projection reads the actions a group changes by their key, however young the
 * query tables were when its statements were first planned. PostgreSQL keeps one generic plan for
 * a prepared statement, costed on the table as it was then; made while the action tables were empty (a
 * new database, or a rebuild, which empties it), that plan read the whole table for every group:
 * a rebuild of 107,400 actions took 54 s instead of 12.5, the database's CPU five times as much,
 * and it grows with the square of the journal.
 */
class ProjectionPlansOnPostgresTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
  private static final String DST = "dst_1";
  private static final int PER_GROUP = 10;

  @TempDir Path dataDir;
  private long seq;

  @Test
  void aGroupReadsTheActionsItChangesByKeyAfterTheTablesWereEmptied() throws Exception {
    try (Backend.Storage storage = Backend.POSTGRES.open(dataDir)) {
      Config config = RelayConfig.load(storage.config());
      try (Database database = Database.open(RelaySettings.from(config).database())) {
        database.createSchemaIfMissing();
        ActionLogWriter writer = new ActionLogWriter(SqlDialect.POSTGRES, MAPPER);
        try (Connection connection = database.dataSource().getConnection()) {
          execute(connection, "ALTER TABLE journal_item SET (autovacuum_enabled = false)");
          execute(connection, "ALTER TABLE journal_item_state SET (autovacuum_enabled = false)");
          // A rebuild: the tables emptied, then the journal projected from the start, group after
          // group on the same connection. Each group delivers the actions queued by the one before,
          // so each reads their rows: enough executions for PostgreSQL to settle on a generic plan.
          execute(connection, "TRUNCATE " + String.join(", ", SqlDialect.TABLES));
          for (int group = 0; group < 20; group++) {
            writer.project(connection, group(group));
            connection.commit();
          }
          // The journal goes on: many more actions, no ANALYZE (autovacuum's is not to be relied on).
          for (int group = 20; group < 220; group++) {
            writer.project(connection, queuedOnly(group, 100));
          }
          connection.commit();

          // The counters may still hold earlier transactions' scans (PostgreSQL flushes them later),
          // but none is flushed inside a transaction: the difference is the group's own.
          long[] before = journalItemScans(connection);
          writer.project(connection, group(220));
          long[] after = journalItemScans(connection);
          connection.commit();

          assertEquals(0, after[0] - before[0], "sequential scans of the action tables in the group's transaction");
          long read = after[1] - before[1];
          assertTrue(read <= 2 * PER_GROUP, "action rows read: " + read);
        }
      }
    }
  }

  /** Queues {@code PER_GROUP} actions and delivers the ones the group before queued. */
  private List<Journaled> group(int group) throws Exception {
    List<Journaled> events = queuedOnly(group, PER_GROUP);
    if (group > 0) {
      List<ItemOutcome> delivered = new ArrayList<>();
      for (int i = 0; i < PER_GROUP; i++) {
        delivered.add(new ItemOutcome(itemId(group - 1, i), 1, Outcome.DELIVERED, Optional.empty()));
      }
      events.add(
          new Journaled(
              DST,
              ++seq,
              new AttemptRecorded(
                  "act_1", T0, 5, new OutgoingRequest("POST", "http://127.0.0.1/hook", Map.of(), "[]"),
                  Optional.of(200), Optional.of("{}"), Optional.empty(), delivered, false)));
    }
    return events;
  }

  private List<Journaled> queuedOnly(int group, int actions) throws Exception {
    List<Journaled> events = new ArrayList<>();
    for (int i = 0; i < actions; i++) {
      events.add(queued(itemId(group, i)));
    }
    return events;
  }

  private Journaled queued(String itemId) throws Exception {
    ObjectNode event =
        (ObjectNode) MAPPER.readTree("{\"type\":\"track\",\"event\":\"Order Completed\",\"messageId\":\"m-" + itemId + "\"}");
    return new Journaled(DST, ++seq, new ActionQueued(itemId, "act_1", "Send", "src_1", event, T0, false));
  }

  private static String itemId(int group, int i) {
    return "itm_" + group + "_" + i;
  }

  /**
   * Sequential scans of the action tables (journal_item, journal_item_state) and the rows they and
   * the index scans read, as this transaction sees them.
   */
  private static long[] journalItemScans(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT SUM(seq_scan), SUM(seq_tup_read + COALESCE(idx_tup_fetch, 0)) FROM pg_stat_xact_user_tables"
                    + " WHERE relname IN ('journal_item', 'journal_item_state')")) {
      row.next();
      return new long[] {row.getLong(1), row.getLong(2)};
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
    connection.commit();
  }
}
