package dev.relay.readside;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.relay.RelayConfig;
import dev.relay.RelaySettings;
import dev.relay.persistence.Database;
import dev.relay.testing.Backend;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every journal query is served by the index of its most selective filter, read in the page's
 * order, so a page costs the same however long a destination's journal is. Checked on each
 * database's own plan for the exact SQL the repository runs.
 */
abstract class ActionLogIndexTest {

  @TempDir static Path dataDir;
  static Backend.Storage storage;
  static Database database;

  static void open(Backend backend) throws SQLException {
    storage = backend.open(dataDir);
    Config config = RelayConfig.load(storage.config());
    database = Database.open(RelaySettings.from(config).database());
    database.createSchemaIfMissing();
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO journal_item (item_id, destination_id, seq, action_id, action_name, message_id, event_type,"
                    + " event_name, user_id, queued_at, is_test, event_json)"
                    + " VALUES (?, ?, ?, 'act', 'Send', ?, ?, ?, ?, ?, false, '{}')");
        PreparedStatement insertState =
            connection.prepareStatement(
                "INSERT INTO journal_item_state (item_id, destination_id, queued_at, seq, is_test, status, attempts)"
                    + " VALUES (?, ?, ?, ?, false, ?, 1)")) {
      for (int i = 0; i < 20_000; i++) {
        long queuedAt = 1_700_000_000_000L + i * 1_000L;
        insert.setString(1, "itm_" + i);
        insert.setString(2, "dst_" + (i % 10));
        insert.setLong(3, i);
        insert.setString(4, "msg_" + i);
        insert.setString(5, i % 3 == 0 ? "track" : i % 3 == 1 ? "page" : "identify");
        insert.setString(6, "Event " + (i % 40));
        insert.setString(7, "user_" + (i % 700));
        insert.setLong(8, queuedAt);
        insert.addBatch();
        insertState.setString(1, "itm_" + i);
        insertState.setString(2, "dst_" + (i % 10));
        insertState.setLong(3, queuedAt);
        insertState.setLong(4, i);
        insertState.setString(5, i % 25 == 0 ? "failed" : "delivered");
        insertState.addBatch();
      }
      insert.executeBatch();
      insertState.executeBatch();
      try (Statement statement = connection.createStatement()) {
        statement.execute(database.isPostgres() ? "ANALYZE journal_item, journal_item_state" : "ANALYZE");
      }
      connection.commit();
    }
  }

  @AfterAll
  static void close() {
    if (database != null) {
      database.close();
    }
    if (storage != null) {
      storage.close();
    }
  }

  @Test
  void everyFilterIsServedByItsIndexInPageOrder() throws SQLException {
    Instant from = Instant.ofEpochMilli(1_700_000_000_000L + 5_000_000L);
    Cursor cursor = new Cursor(1_700_000_000_000L + 15_000_000L, 15_000);
    Map<ActionLogQuery, String> indexes = new LinkedHashMap<>();
    indexes.put(query(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()), "journal_item_by_time");
    indexes.put(query(Optional.of(ActionStatus.FAILED), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()), "journal_item_state_by_status");
    indexes.put(query(Optional.empty(), Optional.of("page"), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(cursor)), "journal_item_by_type");
    indexes.put(query(Optional.empty(), Optional.empty(), Optional.of("Event 7"), Optional.empty(), Optional.empty(), Optional.empty()), "journal_item_by_event");
    indexes.put(query(Optional.of(ActionStatus.DELIVERED), Optional.empty(), Optional.empty(), Optional.of("user_5"), Optional.empty(), Optional.empty()), "journal_item_by_user");
    indexes.put(query(Optional.empty(), Optional.of("track"), Optional.empty(), Optional.empty(), Optional.of("msg_42"), Optional.empty()), "journal_item_by_message");
    ActionLogQuery timeRange = new ActionLogQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(from), Optional.of(from.plusSeconds(3_600)), 50, Optional.of(cursor));
    indexes.put(timeRange, "journal_item_by_time");

    for (Map.Entry<ActionLogQuery, String> entry : indexes.entrySet()) {
      String plan = plan(ActionLogRepository.listSql("dst_3", entry.getKey()));
      assertTrue(plan.toLowerCase().contains(entry.getValue()), entry.getValue() + " expected in:\n" + plan);
      if (database.isPostgres()) {
        assertFalse(plan.contains("Sort"), "no sort step:\n" + plan);
      } else {
        assertTrue(plan.contains("/* index sorted */"), "read in page order:\n" + plan);
      }
    }
  }

  private static ActionLogQuery query(
      Optional<ActionStatus> status, Optional<String> eventType, Optional<String> event, Optional<String> userId,
      Optional<String> messageId, Optional<Cursor> cursor) {
    return new ActionLogQuery(status, eventType, event, userId, messageId, Optional.empty(), Optional.empty(), 50, cursor);
  }

  private static String plan(ActionLogRepository.Sql sql) throws SQLException {
    try (Connection connection = database.dataSource().getConnection()) {
      if (database.isPostgres()) {
        try (Statement statement = connection.createStatement()) {
          // A test table is small enough for a full scan to look cheaper; what matters is that the
          // index can serve the query, as it will once the table is large.
          statement.execute("SET LOCAL enable_seqscan = off");
          statement.execute("SET LOCAL enable_bitmapscan = off");
        }
      }
      try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + sql.text())) {
        for (int i = 0; i < sql.params().size(); i++) {
          explain.setObject(i + 1, sql.params().get(i));
        }
        StringBuilder plan = new StringBuilder();
        try (ResultSet rows = explain.executeQuery()) {
          while (rows.next()) {
            plan.append(rows.getString(1)).append('\n');
          }
        }
        connection.rollback();
        return plan.toString();
      }
    }
  }
}
