package dev.relay.persistence;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's H2 writes new chunks into the space of dead ones, but a chunk dies only once every page
 * in it is written again, and a file left sparse (a delete, or a load's dead chunks scattered through
 * it) shrinks only when chunks are moved down and the end cut off: the node's housekeeping does both,
 * in steps of its configured size.
 */
class H2HousekeepingTest {

  private static final int ROWS = 20_000;

  @TempDir Path dataDir;

  @Test
  void compactionShrinksASparseFile() throws Exception {
    DatabaseSettings settings = H2CommitWriter.settings(dataDir);
    try (Database database = Database.open(settings);
        Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      MVStore store = database.h2Store();
      fill(connection, store);
      delete(connection, store, "DELETE FROM scratch");
      long sparse = Files.size(settings.h2File());

      H2Housekeeping housekeeping = withoutRetention(store, settings);
      for (int round = 0; round < 50 && Files.size(settings.h2File()) > sparse / 2; round++) {
        housekeeping.run();
      }

      long compacted = Files.size(settings.h2File());
      assertTrue(compacted <= sparse / 2, "the file went from " + sparse + " to " + compacted + " bytes");
      assertTrue(store.getFileStore().isSpaceReused(), "commits still write into dead chunks' space after it");
    }
  }

  @Test
  void rewritingRaisesTheLiveShareOfChunksHalfDead() throws Exception {
    DatabaseSettings settings = H2CommitWriter.settings(dataDir);
    try (Database database = Database.open(settings);
        Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      MVStore store = database.h2Store();
      fill(connection, store);
      // Every other row: each chunk keeps about half its data, so none dies by itself.
      delete(connection, store, "DELETE FROM scratch WHERE MOD(id, 2) = 0");
      FileStore<?> file = store.getFileStore();
      int before = file.getChunksFillRate();
      int target = settings.h2Housekeeping().targetFillRate();
      assertTrue(before < target, "the chunks start below the target: " + before + " %");

      H2Housekeeping housekeeping = withoutRetention(store, settings);
      for (int round = 0; round < 50 && file.getChunksFillRate() < target; round++) {
        housekeeping.run();
      }

      assertTrue(
          file.getChunksFillRate() >= target,
          "the chunks went from " + before + " to " + file.getChunksFillRate() + " % live");
    }
  }

  @Test
  void aChunkLargerThanARewriteStepStillMovesDown() throws Exception {
    DatabaseSettings settings = H2CommitWriter.settings(dataDir);
    try (Database database = Database.open(settings);
        Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      MVStore store = database.h2Store();
      fill(connection, store);
      // One chunk larger than a rewrite step (32 MiB live at most, plus the pages above them):
      // what the rewrite itself writes under load, 34-52 MB measured (bench/README).
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE large(id BIGINT PRIMARY KEY, payload VARCHAR(1000))");
        statement.execute("INSERT INTO large SELECT X, REPEAT('y', 600) FROM SYSTEM_RANGE(1, 60000)");
      }
      connection.commit();
      store.commit();
      // The rows before it die: a hole below a chunk no rewrite touches (it is all live).
      delete(connection, store, "DELETE FROM scratch");
      long sparse = Files.size(settings.h2File());

      H2Housekeeping housekeeping = withoutRetention(store, settings);
      for (int round = 0; round < 20; round++) {
        housekeeping.run();
      }

      long compacted = Files.size(settings.h2File());
      assertTrue(compacted < sparse * 3 / 4, "the file went from " + sparse + " to " + compacted + " bytes");
    }
  }

  /** Rows committed 20 at a time, a chunk each, as a flush per acknowledged request writes under light load. */
  private static void fill(Connection connection, MVStore store) throws SQLException {
    try (Statement ddl = connection.createStatement()) {
      ddl.execute("CREATE TABLE scratch(id BIGINT PRIMARY KEY, payload VARCHAR(1000))");
    }
    connection.setAutoCommit(false);
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO scratch VALUES (?, ?)")) {
      for (int id = 0; id < ROWS; id++) {
        insert.setLong(1, id);
        insert.setString(2, "x".repeat(600));
        insert.executeUpdate();
        if (id % 20 == 19) {
          connection.commit();
          store.commit();
        }
      }
    }
  }

  private static void delete(Connection connection, MVStore store, String delete) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(delete);
    }
    connection.commit();
    store.getFileStore().setRetentionTime(0);
    store.commit();
  }

  /** The node's housekeeping, but the chunks died just now: with no retention their space is free at once. */
  private static H2Housekeeping withoutRetention(MVStore store, DatabaseSettings settings) {
    H2Housekeeping.Settings configured = settings.h2Housekeeping();
    return new H2Housekeeping(
        store,
        new H2Housekeeping.Settings(
            configured.interval(),
            Duration.ZERO,
            configured.targetFillRate(),
            configured.shrinkBelowFillRate(),
            configured.rewritePerRun(),
            configured.movePerRun()));
  }
}
