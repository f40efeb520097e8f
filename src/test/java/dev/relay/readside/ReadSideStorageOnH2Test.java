package dev.relay.readside;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code GET /api/read-side} reports as the embedded database's data counts its indexes too. */
class ReadSideStorageOnH2Test {

  @TempDir Path dataDir;

  @Test
  void theDataOfAnH2DatabaseCountsItsIndexes() throws Exception {
    Path file = dataDir.resolve("relay.mv.db");
    try (Connection connection =
        DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("relay") + ";WRITE_DELAY=0", "", "")) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, a VARCHAR NOT NULL, b VARCHAR NOT NULL)");
      }
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO t VALUES (?, ?, ?)")) {
        for (int id = 0; id < 20_000; id++) {
          insert.setLong(1, id);
          insert.setString(2, "a-" + id + "-" + Integer.toHexString(id * 31));
          insert.setString(3, "b-" + Integer.toHexString(id * 17) + "-" + id);
          insert.executeUpdate();
        }
      }
      long table = ReadSideStatus.storage(connection, false, file, 10).dataBytes();

      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE INDEX t_a ON t (a)");
        statement.execute("CREATE INDEX t_b ON t (b)");
      }
      ReadSideStatus.Storage indexed = ReadSideStatus.storage(connection, false, file, 10);

      // Each index holds its column and the key of every row: most of what the table holds.
      assertTrue(indexed.dataBytes() > table * 3 / 2, "table " + table + " bytes, with two indexes " + indexed.dataBytes());
      assertTrue(indexed.dataBytes() <= Files.size(file), indexed + " in a file of " + Files.size(file) + " bytes");
    }
  }
}
