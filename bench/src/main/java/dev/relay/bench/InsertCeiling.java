package dev.relay.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the bench's PostgreSQL can write by itself, as pgbench would measure it: {@code connections}
 * JDBC connections each committing prepared 100-row INSERTs of journal-shaped rows (the columns
 * Relay's journal writes, 600-byte payloads) into a scratch copy of {@code event_journal} (its
 * indexes included, its own ordering sequence), for a fixed time. The scratch table is dropped after.
 */
final class InsertCeiling {

  static final int ROWS_PER_INSERT = 100;
  static final int PAYLOAD_BYTES = 600;
  private static final String TABLE = "bench_raw_insert";
  private static final String COLUMNS =
      "(deleted, persistence_id, sequence_number, writer, write_timestamp, adapter_manifest, event_payload,"
          + " event_ser_id, event_ser_manifest, meta_payload, meta_ser_id, meta_ser_manifest)";
  private static final int COLUMN_COUNT = 12;

  record Result(long rows, double seconds) {
    double rowsPerSecond() {
      return rows / seconds;
    }
  }

  private InsertCeiling() {}

  /** Needs the node's schema (the node creates it at start). */
  static Result measure(LoadHarness harness, int connections, int seconds) throws Exception {
    try (Connection db = harness.connect(); Statement statement = db.createStatement()) {
      statement.execute("CHECKPOINT"); // start from clean buffers, not the load's dirty pages
      statement.execute("CREATE SEQUENCE " + TABLE + "_ordering");
      statement.execute("CREATE TABLE " + TABLE + " (LIKE event_journal INCLUDING ALL EXCLUDING DEFAULTS)");
      statement.execute("ALTER TABLE " + TABLE + " ALTER COLUMN ordering SET DEFAULT nextval('" + TABLE + "_ordering')");
    }
    StringBuilder sql = new StringBuilder("INSERT INTO " + TABLE + " " + COLUMNS + " VALUES ");
    String row = "(" + "?,".repeat(COLUMN_COUNT - 1) + "?)";
    for (int i = 0; i < ROWS_PER_INSERT; i++) {
      sql.append(i == 0 ? "" : ",").append(row);
    }
    AtomicLong rows = new AtomicLong();
    List<Thread> clients = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    for (int c = 0; c < connections; c++) {
      String persistenceId = "Destination|raw-insert-" + c;
      Thread client = new Thread(() -> {
        byte[] payload = new byte[PAYLOAD_BYTES];
        new Random(persistenceId.hashCode()).nextBytes(payload);
        String writer = UUID.randomUUID().toString();
        try (Connection db = harness.connect(); PreparedStatement insert = db.prepareStatement(sql.toString())) {
          long sequenceNr = 0;
          while (System.nanoTime() < end) {
            int p = 1;
            for (int i = 0; i < ROWS_PER_INSERT; i++) {
              insert.setBoolean(p++, false);
              insert.setString(p++, persistenceId);
              insert.setLong(p++, ++sequenceNr);
              insert.setString(p++, writer);
              insert.setLong(p++, System.currentTimeMillis());
              insert.setString(p++, "");
              insert.setBytes(p++, payload);
              insert.setInt(p++, 33);
              insert.setString(p++, "dev.relay.destination.DestinationEntity$Queued");
              insert.setNull(p++, java.sql.Types.BINARY);
              insert.setNull(p++, java.sql.Types.INTEGER);
              insert.setNull(p++, java.sql.Types.VARCHAR);
            }
            insert.executeUpdate(); // autocommit: one transaction per INSERT, as pgbench runs it
            rows.addAndGet(ROWS_PER_INSERT);
          }
        } catch (Exception e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      }, "raw-insert-" + c);
      clients.add(client);
      client.start();
    }
    for (Thread client : clients) {
      client.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    try (Connection db = harness.connect(); Statement statement = db.createStatement()) {
      statement.execute("DROP TABLE " + TABLE);
      statement.execute("DROP SEQUENCE " + TABLE + "_ordering");
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("raw inserts failed", failures.get(0));
    }
    return new Result(rows.get(), elapsed);
  }
}
