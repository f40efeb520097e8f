package dev.relay.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's H2 writes commits to its file in batches: what the node acknowledges waits for {@link
 * Database#flushed()}, and concurrent callers share its writes. (That a flushed commit survives a
 * SIGKILL is {@code H2KillDurabilityIT}'s to prove.)
 */
class H2FlushTest {

  private static final int WRITERS = 8;
  private static final int COMMITS = 50;

  @TempDir Path dataDir;

  @Test
  void concurrentCommitsShareTheStoresThatMakeThemDurable() throws Exception {
    DatabaseSettings settings = H2CommitWriter.settings(dataDir);
    try (Database database = Database.open(settings);
        Connection ddl = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      MVStore store = H2Housekeeping.mvStore(ddl);
      try (Statement create = ddl.createStatement()) {
        create.execute("CREATE TABLE rows_written(id BIGINT PRIMARY KEY, payload VARCHAR(1000))");
      }
      database.flushed().toCompletableFuture().get(10, TimeUnit.SECONDS);
      long storesBefore = store.getCurrentVersion();

      ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        done.add(writers.submit(() -> {
          try (Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
              PreparedStatement insert = connection.prepareStatement("INSERT INTO rows_written VALUES (?, ?)")) {
            connection.setAutoCommit(false);
            for (int c = 0; c < COMMITS; c++) {
              insert.setLong(1, writer * 1_000_000L + c);
              insert.setString(2, "x".repeat(600));
              insert.executeUpdate();
              connection.commit();
              // As the node does before it answers: the commit is in the file once this completes.
              database.flushed().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
          }
          return null;
        }));
      }
      for (Future<?> writer : done) {
        writer.get(60, TimeUnit.SECONDS);
      }
      writers.shutdown();

      long stores = store.getCurrentVersion() - storesBefore;
      try (Statement count = ddl.createStatement(); var rows = count.executeQuery("SELECT COUNT(*) FROM rows_written")) {
        rows.next();
        assertEquals(WRITERS * COMMITS, rows.getInt(1));
      }
      // One store per commit (WRITE_DELAY=0) wrote a chunk of every changed page each time.
      assertTrue(stores <= WRITERS * COMMITS / 2,
          stores + " stores of the store for " + WRITERS * COMMITS + " acknowledged commits");
    }
  }
}
