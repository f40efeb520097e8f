package dev.relay.readside;

import dev.relay.readside.ActionLogChanges.Item;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/**
 * The read side's SQL that differs between H2 and PostgreSQL: adding to counters (PostgreSQL's
 * {@code INSERT ... ON CONFLICT}, safe under concurrent inserts; H2's standard {@code MERGE}),
 * updating many actions' states (one statement on PostgreSQL, a batch on H2) and emptying the
 * tables. Everything else is plain SQL both run alike.
 */
enum SqlDialect {
  H2 {
    @Override
    String addToMinute() {
      return """
          MERGE INTO journal_minute t
          USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT),
                         CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)))
            AS s(destination_id, minute_start, queued, delivered, failed, retried, discarded, throttled)
          ON t.destination_id = s.destination_id AND t.minute_start = s.minute_start
          WHEN MATCHED THEN UPDATE SET
            queued = t.queued + s.queued, delivered = t.delivered + s.delivered, failed = t.failed + s.failed,
            retried = t.retried + s.retried, discarded = t.discarded + s.discarded, throttled = t.throttled + s.throttled
          WHEN NOT MATCHED THEN INSERT (destination_id, minute_start, queued, delivered, failed, retried, discarded, throttled)
            VALUES (s.destination_id, s.minute_start, s.queued, s.delivered, s.failed, s.retried, s.discarded, s.throttled)
          """;
    }

    @Override
    String addToLatency() {
      return """
          MERGE INTO journal_latency t
          USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS BIGINT), CAST(? AS INT), CAST(? AS BIGINT)))
            AS s(destination_id, minute_start, bucket, requests)
          ON t.destination_id = s.destination_id AND t.minute_start = s.minute_start AND t.bucket = s.bucket
          WHEN MATCHED THEN UPDATE SET requests = t.requests + s.requests
          WHEN NOT MATCHED THEN INSERT (destination_id, minute_start, bucket, requests)
            VALUES (s.destination_id, s.minute_start, s.bucket, s.requests)
          """;
    }

    @Override
    void updateStates(Connection connection, List<Item> items) throws SQLException {
      try (PreparedStatement update =
          connection.prepareStatement(
              """
              UPDATE journal_item_state SET status = ?, attempts = ?, last_status = ?, last_error = ?,
                last_attempt_at = ?, next_attempt_at = ?, replayed_as = COALESCE(?, replayed_as)
              WHERE item_id = ?
              """)) {
        for (Item item : items) {
          update.setString(1, item.status.wireName());
          update.setInt(2, item.attempts);
          update.setObject(3, item.lastStatus, Types.INTEGER);
          update.setString(4, item.lastError);
          update.setObject(5, item.lastAttemptAt, Types.BIGINT);
          update.setObject(6, item.nextAttemptAt, Types.BIGINT);
          update.setString(7, item.replayedAs);
          update.setString(8, item.itemId);
          update.addBatch();
        }
        update.executeBatch();
      }
    }

    @Override
    List<String> beginProjectionTransaction() {
      return List.of();
    }

    @Override
    List<String> afterReads() {
      return List.of();
    }

    @Override
    List<String> emptyTables() {
      // H2's TRUNCATE commits by itself; DELETE stays inside the caller's transaction.
      return TABLES.stream().map(table -> "DELETE FROM " + table).toList();
    }
  },

  POSTGRES {
    @Override
    String addToMinute() {
      return """
          INSERT INTO journal_minute (destination_id, minute_start, queued, delivered, failed, retried, discarded, throttled)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (destination_id, minute_start) DO UPDATE SET
            queued = journal_minute.queued + EXCLUDED.queued,
            delivered = journal_minute.delivered + EXCLUDED.delivered,
            failed = journal_minute.failed + EXCLUDED.failed,
            retried = journal_minute.retried + EXCLUDED.retried,
            discarded = journal_minute.discarded + EXCLUDED.discarded,
            throttled = journal_minute.throttled + EXCLUDED.throttled
          """;
    }

    @Override
    String addToLatency() {
      return """
          INSERT INTO journal_latency (destination_id, minute_start, bucket, requests)
          VALUES (?, ?, ?, ?)
          ON CONFLICT (destination_id, minute_start, bucket) DO UPDATE SET
            requests = journal_latency.requests + EXCLUDED.requests
          """;
    }

    @Override
    void updateStates(Connection connection, List<Item> items) throws SQLException {
      // One statement for the group, its values in arrays: as a statement per row, an update spent
      // more of its 21 us being a statement than writing the row, and one statement of VALUES rows
      // cost as much again in planning (pg_stat_statements under load).
      int size = items.size();
      String[] status = new String[size];
      Integer[] attempts = new Integer[size];
      Integer[] lastStatus = new Integer[size];
      String[] lastError = new String[size];
      Long[] lastAttemptAt = new Long[size];
      Long[] nextAttemptAt = new Long[size];
      String[] replayedAs = new String[size];
      String[] itemId = new String[size];
      for (int i = 0; i < size; i++) {
        Item item = items.get(i);
        status[i] = item.status.wireName();
        attempts[i] = item.attempts;
        lastStatus[i] = item.lastStatus;
        lastError[i] = item.lastError;
        lastAttemptAt[i] = item.lastAttemptAt;
        nextAttemptAt[i] = item.nextAttemptAt;
        replayedAs[i] = item.replayedAs;
        itemId[i] = item.itemId;
      }
      try (PreparedStatement update =
          connection.prepareStatement(
              """
              UPDATE journal_item_state AS s SET status = v.status, attempts = v.attempts,
                last_status = v.last_status, last_error = v.last_error, last_attempt_at = v.last_attempt_at,
                next_attempt_at = v.next_attempt_at, replayed_as = COALESCE(v.replayed_as, s.replayed_as)
              FROM UNNEST(CAST(? AS VARCHAR[]), CAST(? AS INT[]), CAST(? AS INT[]), CAST(? AS VARCHAR[]),
                  CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]))
                AS v(status, attempts, last_status, last_error, last_attempt_at, next_attempt_at, replayed_as, item_id)
              WHERE s.item_id = v.item_id
              """)) {
        update.setArray(1, connection.createArrayOf("varchar", status));
        update.setArray(2, connection.createArrayOf("int4", attempts));
        update.setArray(3, connection.createArrayOf("int4", lastStatus));
        update.setArray(4, connection.createArrayOf("varchar", lastError));
        update.setArray(5, connection.createArrayOf("int8", lastAttemptAt));
        update.setArray(6, connection.createArrayOf("int8", nextAttemptAt));
        update.setArray(7, connection.createArrayOf("varchar", replayedAs));
        update.setArray(8, connection.createArrayOf("varchar", itemId));
        update.executeUpdate();
      }
    }

    @Override
    List<String> beginProjectionTransaction() {
      // No wait for the WAL flush: a crash may lose the last few transactions, rows and offset
      // together (they stay atomic), and the projection then replays them from the journal.
      // The reads that come first are planned with their values: the generic plan PostgreSQL keeps
      // for a prepared statement is costed on the table as it was when it was made; made while
      // journal_item_state was empty (a new database, a rebuild), the read of a group's earlier
      // actions by their keys scanned the whole table, every group: a rebuild of 107,400 actions took
      // 54 s instead of 12.5, and the time grows with the square of the journal.
      return List.of("SET LOCAL synchronous_commit TO OFF", "SET LOCAL plan_cache_mode = force_custom_plan");
    }

    @Override
    List<String> afterReads() {
      // The other writes keep their generic plans (by primary key, or none to choose): planning each
      // row's UPDATE again cost the database about a fifth more CPU per action. The states' update
      // comes before this: it joins a group's rows to the table, a choice a generic plan makes once.
      return List.of("SET LOCAL plan_cache_mode TO DEFAULT");
    }

    @Override
    List<String> emptyTables() {
      // Transactional in PostgreSQL, and instant however large the tables are.
      return List.of("TRUNCATE " + String.join(", ", TABLES));
    }
  };

  /** The read side's query tables. */
  static final List<String> TABLES =
      List.of(
          "journal_destination", "journal_item", "journal_item_state", "journal_attempt", "journal_attempt_item",
          "journal_minute", "journal_latency");

  static SqlDialect of(boolean postgres) {
    return postgres ? POSTGRES : H2;
  }

  /** Adds (destination, minute, queued, delivered, failed, retried, discarded) to the minute's row. */
  abstract String addToMinute();

  /** Adds (destination, minute, bucket, requests) to the bucket's row. */
  abstract String addToLatency();

  /** Statements that start each transaction of the projection, before it reads the rows a group changes. */
  abstract List<String> beginProjectionTransaction();

  /**
   * Statements after the projection has read the rows a group changes and updated their states
   * ({@link #updateStates}), before its other writes.
   */
  abstract List<String> afterReads();

  /**
   * Sets the states of {@code items}, actions stored before the group; an item's replayed_as, when
   * null, leaves the one stored (only a replay in the group sets it).
   */
  abstract void updateStates(Connection connection, List<Item> items) throws SQLException;

  /** Statements that empty every query table, within the current transaction. */
  abstract List<String> emptyTables();
}
