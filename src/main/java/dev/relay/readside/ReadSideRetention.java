package dev.relay.readside;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * Deletes the query tables' rows past the horizon, in short transactions of at most {@code
 * batchSize} rows: finished actions queued before the cutoff with what each request meant for them,
 * requests made before it, and the per-minute counters of minutes that ended before it. An action
 * still pending stays, whatever its age (a disabled destination keeps its work). The destinations'
 * rows stay: they are one per destination, and a rebuild makes them again from the journal.
 */
public final class ReadSideRetention {

  /** Rows deleted, per table. */
  public record Deleted(long items, long attemptItems, long attempts, long minutes, long latency) {}

  private static final String FINISHED =
      "SELECT item_id FROM journal_item_state WHERE destination_id = ? AND queued_at < ?"
          + " AND status IN ('delivered', 'failed', 'discarded') ORDER BY queued_at LIMIT ?";
  // In attempt_id order (the journal ordering of the attempt, so about the order they were made).
  private static final String ATTEMPTS =
      "SELECT attempt_id, started_at FROM journal_attempt WHERE attempt_id > ? ORDER BY attempt_id LIMIT ?";
  private static final String MINUTES =
      "SELECT minute_start FROM journal_minute WHERE destination_id = ? AND minute_start <= ? ORDER BY minute_start LIMIT ?";
  private static final String LATENCY =
      "SELECT minute_start, bucket FROM journal_latency WHERE destination_id = ? AND minute_start <= ?"
          + " ORDER BY minute_start, bucket LIMIT ?";

  private final DataSource dataSource;
  private final int batchSize;

  public ReadSideRetention(DataSource dataSource, int batchSize) {
    this.dataSource = dataSource;
    this.batchSize = batchSize;
  }

  /** Deletes what is older than {@code cutoff}; stops early once {@code stop} says so. */
  public Deleted deleteOlderThan(Instant cutoff, BooleanSupplier stop) throws SQLException {
    long cutoffMillis = cutoff.toEpochMilli();
    // A minute's counters go once the whole minute is past the cutoff.
    long lastMinute = cutoffMillis - 60_000L;
    long items = 0;
    long attemptItems = 0;
    long minutes = 0;
    long latency = 0;
    for (String destinationId : destinations()) {
      if (stop.getAsBoolean()) {
        break;
      }
      long[] deleted = deleteItems(destinationId, cutoffMillis, stop);
      items += deleted[0];
      attemptItems += deleted[1];
      minutes += deleteMinutes(destinationId, lastMinute, stop);
      latency += deleteLatency(destinationId, lastMinute, stop);
    }
    long attempts = deleteAttempts(cutoffMillis, stop);
    return new Deleted(items, attemptItems, attempts, minutes, latency);
  }

  private List<String> destinations() throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement("SELECT destination_id FROM journal_destination")) {
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getString(1));
        }
      }
      connection.commit();
    }
    return ids;
  }

  private long[] deleteItems(String destinationId, long cutoffMillis, BooleanSupplier stop) throws SQLException {
    long items = 0;
    long attemptItems = 0;
    try (Connection connection = dataSource.getConnection()) {
      while (!stop.getAsBoolean()) {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(FINISHED)) {
          select.setString(1, destinationId);
          select.setLong(2, cutoffMillis);
          select.setInt(3, batchSize);
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              ids.add(rows.getString(1));
            }
          }
        }
        attemptItems += delete(connection, "DELETE FROM journal_attempt_item WHERE item_id = ?", ids);
        delete(connection, "DELETE FROM journal_item_state WHERE item_id = ?", ids);
        items += delete(connection, "DELETE FROM journal_item WHERE item_id = ?", ids);
        connection.commit();
        if (ids.size() < batchSize) {
          break;
        }
      }
    }
    return new long[] {items, attemptItems};
  }

  /**
   * Requests made before the cutoff, oldest first along the primary key; stops at the first page
   * holding a younger one (a request a little out of order goes at the next sweep).
   */
  private long deleteAttempts(long cutoffMillis, BooleanSupplier stop) throws SQLException {
    long deleted = 0;
    try (Connection connection = dataSource.getConnection()) {
      long after = Long.MIN_VALUE;
      boolean young = false;
      while (!young && !stop.getAsBoolean()) {
        List<Long> old = new ArrayList<>();
        int read = 0;
        try (PreparedStatement select = connection.prepareStatement(ATTEMPTS)) {
          select.setLong(1, after);
          select.setInt(2, batchSize);
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              read++;
              after = rows.getLong(1);
              if (rows.getLong(2) < cutoffMillis) {
                old.add(after);
              } else {
                young = true;
              }
            }
          }
        }
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM journal_attempt WHERE attempt_id = ?")) {
          for (long id : old) {
            delete.setLong(1, id);
            delete.addBatch();
          }
          deleted += sum(delete.executeBatch());
        }
        connection.commit();
        if (read < batchSize) {
          break;
        }
      }
    }
    return deleted;
  }

  private long deleteMinutes(String destinationId, long lastMinute, BooleanSupplier stop) throws SQLException {
    long deleted = 0;
    try (Connection connection = dataSource.getConnection()) {
      while (!stop.getAsBoolean()) {
        List<Long> starts = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(MINUTES)) {
          select.setString(1, destinationId);
          select.setLong(2, lastMinute);
          select.setInt(3, batchSize);
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              starts.add(rows.getLong(1));
            }
          }
        }
        try (PreparedStatement delete =
            connection.prepareStatement("DELETE FROM journal_minute WHERE destination_id = ? AND minute_start = ?")) {
          for (long start : starts) {
            delete.setString(1, destinationId);
            delete.setLong(2, start);
            delete.addBatch();
          }
          deleted += sum(delete.executeBatch());
        }
        connection.commit();
        if (starts.size() < batchSize) {
          break;
        }
      }
    }
    return deleted;
  }

  private long deleteLatency(String destinationId, long lastMinute, BooleanSupplier stop) throws SQLException {
    long deleted = 0;
    try (Connection connection = dataSource.getConnection()) {
      while (!stop.getAsBoolean()) {
        int read = 0;
        try (PreparedStatement select = connection.prepareStatement(LATENCY);
            PreparedStatement delete =
                connection.prepareStatement(
                    "DELETE FROM journal_latency WHERE destination_id = ? AND minute_start = ? AND bucket = ?")) {
          select.setString(1, destinationId);
          select.setLong(2, lastMinute);
          select.setInt(3, batchSize);
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              read++;
              delete.setString(1, destinationId);
              delete.setLong(2, rows.getLong(1));
              delete.setInt(3, rows.getInt(2));
              delete.addBatch();
            }
          }
          deleted += sum(delete.executeBatch());
        }
        connection.commit();
        if (read < batchSize) {
          break;
        }
      }
    }
    return deleted;
  }

  private static long delete(Connection connection, String sql, List<String> keys) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement(sql)) {
      for (String key : keys) {
        delete.setString(1, key);
        delete.addBatch();
      }
      return sum(delete.executeBatch());
    }
  }

  private static long sum(int[] counts) {
    long sum = 0;
    for (int count : counts) {
      sum += Math.max(count, 0);
    }
    return sum;
  }
}
