package dev.relay.persistence;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's H2 writes a store of its own only once {@code relay.db.h2-store-buffer} of changes wait
 * in memory, not at H2's 19 MB: each store rewrites every page changed since the last, so fewer
 * stores leave less dead space in the file.
 */
class H2StoreBufferTest {

  private static final int H2_DEFAULT = 19 << 20;
  /** About 90 MB of page copies by H2's estimate: several times its own buffer, a third of the default. */
  private static final int ROWS = 20_000;

  @TempDir Path dataDir;

  @Test
  void theStoreWaitsForTheConfiguredBufferBeforeWritingOnItsOwn() throws Exception {
    DatabaseSettings settings = H2CommitWriter.settings(dataDir);
    assertEquals(256L << 20, settings.h2StoreBuffer(), "the default");
    try (Database database = Database.open(settings);
        Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      MVStore store = database.h2Store();
      assertEquals(256 << 20, store.getAutoCommitMemory());
      // Each new connection applies the URL's WRITE_DELAY again, which restarts H2's store timer: the
      // read-side pool opens its connections in the background, so they must all be open first.
      HikariDataSource pool = (HikariDataSource) database.dataSource();
      await(Duration.ofSeconds(30), "the read-side pool's connections",
          () -> pool.getHikariPoolMXBean().getTotalConnections() == pool.getMaximumPoolSize());
      store.setAutoCommitDelay(0); // no store on a timer: only those the changes in memory call for
      try (Statement ddl = connection.createStatement()) {
        ddl.execute("CREATE TABLE scratch(id BIGINT PRIMARY KEY, payload VARCHAR(1000))");
      }
      store.commit();

      long configured = storesWhileWriting(connection, store, 0);
      H2StoreBuffer.set(store, H2_DEFAULT);
      long h2s = storesWhileWriting(connection, store, 1);

      assertEquals(0, store.getAutoCommitDelay(), "no connection opened meanwhile restarted the store timer");
      assertEquals(0, configured, "stores of its own with the configured buffer");
      assertTrue(h2s >= 1, "the same changes make H2 store with its own buffer: " + h2s);
    }
  }

  /** Stores H2 wrote by itself while one transaction inserted rows, committed at the end. */
  private static long storesWhileWriting(Connection connection, MVStore store, int round) throws SQLException {
    long before = store.getCurrentVersion();
    connection.setAutoCommit(false);
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO scratch VALUES (?, ?)")) {
      for (int i = 0; i < ROWS; i++) {
        insert.setLong(1, round * 1_000_000L + i);
        insert.setString(2, "x".repeat(500));
        insert.executeUpdate();
      }
    }
    long stores = store.getCurrentVersion() - before;
    connection.commit();
    connection.setAutoCommit(true);
    store.commit();
    return stores;
  }
}
