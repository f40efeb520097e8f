package dev.relay.persistence;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import dev.relay.RelayConfig;
import dev.relay.RelaySettings;
import dev.relay.testing.PostgresDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.tx.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read side's pool ends the transaction its connection setup opens. On PostgreSQL a rollback
 * would otherwise undo the statement timeout that setup sets. On the embedded H2 an idle connection
 * would otherwise hold a transaction for as long as it idles, and a row a
 * SIGKILL left half-written (its change on disk, its undo log not) reads to H2 as locked by
 * whichever transaction now has the id it was written under; an idle connection holding that id
 * would hold the row for as long as it idles, and the projection that must write the row would time
 * out on it at every retry.
 */
class ReadSidePoolTest {

  @TempDir Path dataDir;

  @Test
  void idleConnectionsOfTheReadSidePoolHoldNoH2Transaction() throws Exception {
    DatabaseSettings settings =
        RelaySettings.from(RelayConfig.load(ConfigFactory.parseMap(Map.of("relay.data-dir", dataDir.toString()))))
            .database();
    try (Database database = Database.open(settings)) {
      database.createSchemaIfMissing();
      HikariDataSource pool = (HikariDataSource) database.dataSource();
      await(Duration.ofSeconds(20), "the pool holds its idle connections",
          () -> pool.getHikariPoolMXBean() != null && pool.getHikariPoolMXBean().getIdleConnections() == settings.readSidePoolSize());
      // A connection of its own, outside the pool, on the same in-process database; it runs no
      // statement, so it opens no transaction either.
      try (Connection outside = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
        SessionLocal session = (SessionLocal) outside.unwrap(JdbcConnection.class).getSession();
        List<Integer> open =
            session.getDatabase().getStore().getTransactionStore().getOpenTransactions().stream()
                .map(Transaction::getId)
                .toList();
        assertEquals(List.of(), open, "H2 transactions open while every read-side connection idles");
      }
    }
  }

  @Test
  void onPostgresTheStatementTimeoutOutlivesARollback() throws Exception {
    try (PostgresDatabase postgres = PostgresDatabase.create()) {
      DatabaseSettings settings =
          RelaySettings.from(
                  RelayConfig.load(
                      ConfigFactory.parseMap(
                          Map.of("relay.db.url", postgres.url(), "relay.db.user", PostgresDatabase.USER, "relay.data-dir", dataDir.toString(),
                              "relay.db.read-side-pool-size", "1"))))
              .database();
      try (Database database = Database.open(settings)) {
        // The read side's status queries end with a rollback; the connection goes back to the pool.
        try (Connection first = database.dataSource().getConnection()) {
          first.createStatement().execute("SELECT 1");
          first.rollback();
        }
        try (Connection next = database.dataSource().getConnection();
            ResultSet timeout = next.createStatement().executeQuery("SHOW statement_timeout")) {
          timeout.next();
          assertEquals(settings.statementTimeout().toSeconds() + "s", timeout.getString(1));
        }
      }
    }
  }
}
