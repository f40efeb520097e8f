package dev.relay.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.RelayConfig;
import dev.relay.RelaySettings;
import dev.relay.testing.PostgresDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.apache.pekko.persistence.jdbc.config.SlickConfiguration;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase$;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slick.jdbc.JdbcBackend;

/**
 * On PostgreSQL both of a node's pools, the journal's (built by pekko-persistence-jdbc from the
 * configuration RelayConfig derives) and the read side's, send a JDBC batch of INSERTs as multi-row
 * INSERTs. The driver answers such a batch with {@link Statement#SUCCESS_NO_INFO} for each row,
 * where one statement per row answers 1 each.
 */
class PostgresBatchInsertsTest {

  // The driver cuts a batch into statements of a power of two rows; four rows are one statement.
  private static final int[] REWRITTEN = {
    Statement.SUCCESS_NO_INFO, Statement.SUCCESS_NO_INFO, Statement.SUCCESS_NO_INFO, Statement.SUCCESS_NO_INFO
  };
  private static final int[] ROW_BY_ROW = {1, 1, 1, 1};

  @TempDir Path dataDir;

  @Test
  void bothPoolsSendABatchOfInsertsAsMultiRowInserts() throws Exception {
    try (PostgresDatabase postgres = PostgresDatabase.create()) {
      createTable(postgres);
      Config config = nodeConfig(postgres.url());
      try (Database database = Database.open(RelaySettings.from(config).database());
          Connection readSide = database.dataSource().getConnection()) {
        assertArrayEquals(REWRITTEN, insertFour(readSide), "the read side's pool");
      }
      Config shared = config.getConfig("pekko-persistence-jdbc.shared-databases.slick");
      JdbcBackend.JdbcDatabaseDef journalPool = SlickDatabase$.MODULE$.database(shared, new SlickConfiguration(shared), "db");
      try (Connection journal = journalPool.source().createConnection()) {
        assertArrayEquals(REWRITTEN, insertFour(journal), "the journal's pool");
      } finally {
        journalPool.close();
      }
      assertEquals(8, rows(postgres), "rows stored by the two batches");
    }
  }

  @Test
  void aParameterOfTheDatabaseUrlWins() throws Exception {
    try (PostgresDatabase postgres = PostgresDatabase.create()) {
      createTable(postgres);
      Config config = nodeConfig(postgres.url() + "?reWriteBatchedInserts=false");
      try (Database database = Database.open(RelaySettings.from(config).database());
          Connection readSide = database.dataSource().getConnection()) {
        assertArrayEquals(ROW_BY_ROW, insertFour(readSide));
      }
    }
  }

  private Config nodeConfig(String url) {
    return RelayConfig.load(
        ConfigFactory.parseMap(
            Map.of("relay.db.url", url, "relay.db.user", PostgresDatabase.USER, "relay.data-dir", dataDir.toString())));
  }

  private static void createTable(PostgresDatabase postgres) throws SQLException {
    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE batched (n INT NOT NULL)");
    }
  }

  private static int[] insertFour(Connection connection) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO batched (n) VALUES (?)")) {
      for (int n = 1; n <= 4; n++) {
        insert.setInt(1, n);
        insert.addBatch();
      }
      int[] counts = insert.executeBatch();
      if (!connection.getAutoCommit()) {
        connection.commit();
      }
      return counts;
    }
  }

  private static int rows(PostgresDatabase postgres) throws SQLException {
    try (Connection connection = postgres.connect();
        ResultSet count = connection.createStatement().executeQuery("SELECT count(*) FROM batched")) {
      count.next();
      return count.getInt(1);
    }
  }
}
