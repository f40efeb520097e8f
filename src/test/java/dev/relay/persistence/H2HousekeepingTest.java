package dev.relay.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.relay.RelayConfig;
import dev.relay.RelaySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's housekeeping of the embedded H2 file, on a database opened the way the node opens it
 * (its URL, so WRITE_DELAY=0 and compression), driven round by round instead of every second.
 */
class H2HousekeepingTest {

  private static final int ROW_BYTES = 1000;

  @TempDir Path dataDir;

  private final Random random = new Random(19);

  @Test
  void givesTheSpaceBackOnceOldRowsAreDeleted() throws Exception {
    try (Connection connection = open()) {
      H2Housekeeping housekeeping = new H2Housekeeping(H2Housekeeping.storeOf(connection), settings());
      insert(connection, 0, 30_000);
      for (int round = 0; round < 20; round++) {
        housekeeping.run(); // the file settles first
      }
      long full = Files.size(file());
      try (Statement delete = connection.createStatement()) {
        delete.executeUpdate("DELETE FROM t WHERE MOD(id, 10) <> 0");
      }
      connection.commit();
      // H2 never rewrites the chunk written last, here the large one of the delete: a node writes
      // something small after it sooner or later.
      insert(connection, 1_000_000, 1);

      // Rounds as the node runs them, an interval apart, for at most 30 s.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (Files.size(file()) > full / 2 && System.nanoTime() < deadline) {
        housekeeping.run();
        Thread.sleep(settings().interval().toMillis());
      }

      long left = Files.size(file());
      assertTrue(left <= full / 2, "a tenth of the rows left, the file went from " + full + " to " + left + " bytes");
    }
  }

  @Test
  void keepsTheFileWithinTwiceItsDataUnderAStreamOfSmallCommits() throws Exception {
    long live;
    long compacted;
    try (Connection connection = open()) {
      H2Housekeeping housekeeping = new H2Housekeeping(H2Housekeeping.storeOf(connection), settings());
      insert(connection, -1, 1);
      try (PreparedStatement append = connection.prepareStatement("INSERT INTO t (id, body) VALUES (?, ?)");
          PreparedStatement touch = connection.prepareStatement("UPDATE t SET body = ? WHERE id = -1")) {
        // Like the journal: rows appended a few at a time, each commit also updating a row all
        // commits share. Every commit leaves a chunk in which only the leaf a page split filled
        // stays live; left alone, the file fills with such chunks.
        for (int commit = 0; commit < 1_500; commit++) {
          for (int row = 0; row < 10; row++) {
            append.setLong(1, commit * 10L + row);
            append.setString(2, body());
            append.executeUpdate();
          }
          touch.setString(1, body());
          touch.executeUpdate();
          connection.commit();
          if (commit % 10 == 9) {
            housekeeping.run();
          }
        }
      }
      live = Files.size(file());
      try (Statement shutdown = connection.createStatement()) {
        shutdown.execute("SHUTDOWN COMPACT");
      }
      compacted = Files.size(file());
    }
    assertTrue(live <= 2 * compacted, "file " + live + " bytes for " + compacted + " bytes compacted");
  }

  @Test
  void theNodeOpensItsH2FileCompressed() throws Exception {
    try (Connection connection = open()) {
      var rows = connection.createStatement().executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'COMPRESS'");
      assertTrue(rows.next(), "H2 lists its COMPRESS setting");
      assertEquals("TRUE", rows.getString(1).toUpperCase());
    }
  }

  private Connection open() throws Exception {
    DatabaseSettings settings =
        RelaySettings.from(RelayConfig.load(ConfigFactory.parseMap(Map.of("relay.data-dir", dataDir.toString()))))
            .database();
    Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
    connection.setAutoCommit(false);
    try (Statement create = connection.createStatement()) {
      create.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, body VARCHAR NOT NULL)");
    }
    connection.commit();
    return connection;
  }

  private Path file() {
    return dataDir.resolve("relay.mv.db");
  }

  private void insert(Connection connection, int from, int count) throws Exception {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO t (id, body) VALUES (?, ?)")) {
      for (int id = from; id < from + count; id++) {
        insert.setLong(1, id);
        insert.setString(2, body());
        insert.executeUpdate();
        if (id % 100 == 99) {
          connection.commit();
        }
      }
    }
    connection.commit();
  }

  /** Text that compresses about as well as an event's JSON does (a few times, not a hundred). */
  private String body() {
    StringBuilder body = new StringBuilder(ROW_BYTES);
    while (body.length() < ROW_BYTES) {
      body.append("{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"user-").append(random.nextInt(5_000))
          .append("\",\"properties\":{\"revenue\":").append(random.nextInt(100_000)).append("}}");
    }
    return body.toString();
  }

  /** The defaults, but chunks no longer used are reused at once: the test has no power loss to fear. */
  private static H2Housekeeping.Settings settings() {
    H2Housekeeping.Settings defaults = H2Housekeeping.Settings.from(ConfigFactory.load());
    return new H2Housekeeping.Settings(
        defaults.interval(),
        Duration.ZERO,
        defaults.targetFillRate(),
        defaults.rewritePerRun(),
        defaults.shrinkBelowFillRate(),
        defaults.movePerRun(),
        defaults.idleFillRate());
  }
}
