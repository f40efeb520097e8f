package dev.relay.readside;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.testing.PostgresDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage report's {@code dataBytes} is what the tables hold with their indexes, on H2 as on
 * PostgreSQL: an index is live data the file has to keep, so a ratio of file to data without it
 * would blame the file for the indexes.
 */
class ReadSideStorageTest {

  private static final int ROWS = 2_000;

  @Test
  void h2CountsTheIndexesOfItsTables(@TempDir Path dir) throws Exception {
    Path base = dir.resolve("relay");
    try (Connection connection = DriverManager.getConnection("jdbc:h2:file:" + base, "", "")) {
      assertAnIndexCounts(connection, false, Path.of(base + ".mv.db"));
    }
  }

  @Test
  void postgresCountsTheIndexesOfItsTables() throws Exception {
    try (PostgresDatabase database = PostgresDatabase.create();
        Connection connection = database.connect()) {
      assertAnIndexCounts(connection, true, null);
    }
  }

  private static void assertAnIndexCounts(Connection connection, boolean postgres, Path h2File) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR(300) NOT NULL)");
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
        for (int i = 0; i < ROWS; i++) {
          insert.setLong(1, i);
          insert.setString(2, String.format("%0200d", (long) i * 7919 % ROWS));
          insert.addBatch();
        }
        insert.executeBatch();
      }
      store(statement, postgres);
      long withoutIndex = ReadSideStatus.storage(connection, postgres, h2File, 10).dataBytes();
      statement.execute("CREATE INDEX t_v ON t (v)");
      store(statement, postgres);
      long withIndex = ReadSideStatus.storage(connection, postgres, h2File, 10).dataBytes();
      // The index holds every row's 200 characters again.
      long atLeast = ROWS * 150L;
      assertTrue(
          withIndex - withoutIndex >= atLeast,
          "dataBytes " + withoutIndex + " without the index, " + withIndex + " with it: expected at least " + atLeast + " more");
    }
  }

  /** H2 counts pages once they are in its file. */
  private static void store(Statement statement, boolean postgres) throws SQLException {
    if (!postgres) {
      statement.execute("CHECKPOINT");
    }
  }
}
