package dev.relay.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's H2 writes its chunks into the space of dead ones, and a kill right after any
 * acknowledgement leaves a file H2 reopens with every acknowledged row. A SIGKILL leaves the file as
 * the process's writes made it (the kernel keeps them), so a copy of the file taken right after a
 * flush, while nothing else writes, is what a kill at that moment leaves; each copy is opened as a
 * node opens a killed file. Without {@link H2StoreHeader}, 43 of these 60 copies reopened without the
 * rows of the last commits, most of them without any row of the table.
 */
class H2StoreHeaderTest {

  private static final int ROUNDS = 60;
  private static final int ROWS_PER_ROUND = 200;
  /** Rows kept: older ones are deleted, so whole chunks die and their space is written again. */
  private static final int KEPT = 1_000;

  @TempDir Path work;

  @Test
  void aFileCopiedAfterAnyFlushReopensWithEveryAcknowledgedRow() throws Exception {
    DatabaseSettings settings = H2CommitWriter.settings(work.resolve("data"));
    try (Database database = Database.open(settings);
        Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      MVStore store = database.h2Store();
      assertTrue(store.getFileStore().isSpaceReused(), "the node's store writes into the space of dead chunks");
      store.setAutoCommitDelay(0); // only the flushes write, so a copy never catches a chunk half written
      store.getFileStore().setRetentionTime(0); // a dead chunk's space is free at once
      try (Statement ddl = connection.createStatement()) {
        ddl.execute("CREATE TABLE journal(id BIGINT PRIMARY KEY, payload VARCHAR(1000))");
      }
      connection.setAutoCommit(false);
      PreparedStatement insert = connection.prepareStatement("INSERT INTO journal VALUES (?, ?)");
      PreparedStatement delete = connection.prepareStatement("DELETE FROM journal WHERE id < ?");
      long next = 0;
      for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < ROWS_PER_ROUND; i++) {
          insert.setLong(1, next++);
          insert.setString(2, "x".repeat(600));
          insert.addBatch();
        }
        insert.executeBatch();
        delete.setLong(1, next - KEPT);
        delete.executeUpdate();
        connection.commit();
        database.flushed().toCompletableFuture().join();

        Path killed = work.resolve("killed-" + round);
        Files.createDirectories(killed);
        Files.copy(settings.h2File(), killed.resolve(settings.h2File().getFileName()));
        try (Connection reopened = H2CrashRecovery.openRecovered(H2CommitWriter.settings(killed));
            Statement query = reopened.createStatement();
            ResultSet rows = query.executeQuery("SELECT COUNT(*), MAX(id) FROM journal")) {
          rows.next();
          assertEquals(next - 1, rows.getLong(2), "the last acknowledged row, reopened after the flush of round " + round);
          assertEquals(Math.min(next, KEPT), rows.getLong(1), "rows, reopened after the flush of round " + round);
        }
        Files.delete(killed.resolve(settings.h2File().getFileName()));
      }
    }
  }
}
