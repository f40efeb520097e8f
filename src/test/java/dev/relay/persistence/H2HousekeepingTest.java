package dev.relay.persistence;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's H2 writes new chunks into the space of dead ones, but a file left sparse (a delete, or
 * a load's dead chunks scattered through it) shrinks only when chunks are moved down and the end cut
 * off: the node's housekeeping does that.
 */
class H2HousekeepingTest {

  @TempDir Path dataDir;

  @Test
  void compactionShrinksASparseFile() throws Exception {
    DatabaseSettings settings = H2CommitWriter.settings(dataDir);
    try (Database database = Database.open(settings);
        Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      MVStore store = H2Housekeeping.mvStore(connection);
      try (Statement ddl = connection.createStatement()) {
        ddl.execute("CREATE TABLE scratch(id BIGINT PRIMARY KEY, payload VARCHAR(1000))");
      }
      connection.setAutoCommit(false);
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO scratch VALUES (?, ?)")) {
        for (int id = 0; id < 20_000; id++) {
          insert.setLong(1, id);
          insert.setString(2, "x".repeat(600));
          insert.executeUpdate();
          if (id % 20 == 19) {
            connection.commit();
            store.commit(); // a chunk per commit, as a flush per acknowledged request writes under light load
          }
        }
      }
      try (Statement delete = connection.createStatement()) {
        delete.execute("DELETE FROM scratch");
      }
      connection.commit();
      store.getFileStore().setRetentionTime(0);
      store.commit();
      long sparse = Files.size(settings.h2File());

      H2Housekeeping housekeeping = new H2Housekeeping(store, settings.h2Housekeeping());
      for (int round = 0; round < 50 && Files.size(settings.h2File()) > sparse / 2; round++) {
        housekeeping.run();
      }

      long compacted = Files.size(settings.h2File());
      assertTrue(compacted <= sparse / 2, "the file went from " + sparse + " to " + compacted + " bytes");
      assertTrue(store.getFileStore().isSpaceReused(), "commits still write into dead chunks' space after it");
    }
  }
}
