package dev.relay.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.RelayConfig;
import dev.relay.RelaySettings;
import dev.relay.testing.PostgresDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema is created when missing, idempotently, and safely by nodes starting together. */
class DatabaseSchemaTest {

  @TempDir Path dataDir;

  @Test
  void nodesStartingTogetherOnPostgresCreateTheSchemaOnce() throws Exception {
    try (PostgresDatabase postgres = PostgresDatabase.create()) {
      Config config =
          RelayConfig.load(
              ConfigFactory.parseMap(
                  Map.of("relay.db.url", postgres.url(), "relay.db.user", PostgresDatabase.USER, "relay.data-dir", dataDir.toString())));
      ExecutorService nodes = Executors.newFixedThreadPool(4);
      List<Future<Void>> starts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Callable<Void> start =
            () -> {
              try (Database database = Database.open(RelaySettings.from(config).database())) {
                database.createSchemaIfMissing();
              }
              return null;
            };
        starts.add(nodes.submit(start));
      }
      for (Future<Void> start : starts) {
        start.get(); // any failure of any node surfaces here
      }
      nodes.shutdown();
      try (Connection connection = postgres.connect()) {
        assertEquals(TABLES, names(connection, "TABLE"));
        assertTrue(names(connection, "INDEX").containsAll(INDEXES), "indexes: " + names(connection, "INDEX"));
      }
      // A start on the schema in place keeps what it holds.
      try (Connection connection = postgres.connect(); Statement insert = connection.createStatement()) {
        insert.execute("INSERT INTO journal_destination (destination_id, created_at) VALUES ('kept', 1)");
      }
      try (Database database = Database.open(RelaySettings.from(config).database())) {
        database.createSchemaIfMissing();
      }
      try (Connection connection = postgres.connect();
          ResultSet kept = connection.createStatement().executeQuery("SELECT COUNT(*) FROM journal_destination")) {
        kept.next();
        assertEquals(1, kept.getInt(1));
      }
    }
  }

  @Test
  void aSecondStartOnH2FindsTheSchemaInPlace() throws SQLException {
    Config config = RelayConfig.load(ConfigFactory.parseMap(Map.of("relay.data-dir", dataDir.toString())));
    for (int start = 0; start < 2; start++) {
      try (Database database = Database.open(RelaySettings.from(config).database())) {
        database.createSchemaIfMissing();
      }
    }
    assertTrue(dataDir.resolve("relay.mv.db").toFile().exists(), "the H2 file lives in the data dir");
    try (Database database = Database.open(RelaySettings.from(config).database()); Connection connection = database.dataSource().getConnection()) {
      assertEquals(TABLES, names(connection, "TABLE"));
      assertEquals(Set.of(), lobColumns(connection), "payloads live in their rows, not H2's LOB store");
    }
  }

  @Test
  void anH2FileWithBlobPayloadsKeepsThemInItsRows() throws SQLException {
    // A file as nodes before VARBINARY payloads made it: the journal's payload a BLOB, longer than
    // the 256 bytes H2 keeps in the row, so it sits in H2's LOB store.
    byte[] payload = new byte[4000];
    new Random(7).nextBytes(payload);
    try (Connection old = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("relay"), "", "");
        Statement statement = old.createStatement()) {
      statement.execute(
          "CREATE TABLE PUBLIC.\"event_journal\" (\"ordering\" BIGINT UNIQUE NOT NULL AUTO_INCREMENT,"
              + " \"deleted\" BOOLEAN DEFAULT false NOT NULL, \"persistence_id\" VARCHAR(255) NOT NULL,"
              + " \"sequence_number\" BIGINT NOT NULL, \"writer\" VARCHAR NOT NULL, \"write_timestamp\" BIGINT NOT NULL,"
              + " \"adapter_manifest\" VARCHAR NOT NULL, \"event_payload\" BLOB NOT NULL, \"event_ser_id\" INTEGER NOT NULL,"
              + " \"event_ser_manifest\" VARCHAR NOT NULL, \"meta_payload\" BLOB, \"meta_ser_id\" INTEGER,"
              + " \"meta_ser_manifest\" VARCHAR, PRIMARY KEY (\"persistence_id\", \"sequence_number\"))");
      try (var insert = old.prepareStatement(INSERT_EVENT + "VALUES ('d|1', 1, 'w', 1, '', ?, 1, 'm')")) {
        insert.setBytes(1, payload);
        insert.executeUpdate();
      }
      assertEquals(Set.of("event_journal.event_payload", "event_journal.meta_payload"), lobColumns(old));
    }
    Config config = RelayConfig.load(ConfigFactory.parseMap(Map.of("relay.data-dir", dataDir.toString())));
    try (Database database = Database.open(RelaySettings.from(config).database())) {
      database.createSchemaIfMissing();
    }
    try (Database database = Database.open(RelaySettings.from(config).database());
        Connection connection = database.dataSource().getConnection()) {
      assertEquals(Set.of(), lobColumns(connection), "no payload left in H2's LOB store");
      try (ResultSet row = connection.createStatement().executeQuery("SELECT \"event_payload\" FROM PUBLIC.\"event_journal\"")) {
        assertTrue(row.next());
        assertTrue(Arrays.equals(payload, row.getBytes(1)), "the payload is kept byte for byte");
      }
      // Still NOT NULL: a journal row without its payload is refused as before.
      SQLException refused =
          assertThrows(
              SQLException.class,
              () -> connection.createStatement().execute(INSERT_EVENT + "VALUES ('d|1', 2, 'w', 1, '', NULL, 1, 'm')"));
      assertTrue(refused.getMessage().contains("NULL"), refused.getMessage());
    }
  }

  @Test
  void anH2FileWithActionStatesInJournalItemMovesThemToTheirTable() throws SQLException {
    try (Connection old = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("relay"), "", "")) {
      journalItemAsBefore(old);
    }
    assertActionStatesMovedAfterStartsOnH2(2); // the second start finds nothing left to move
  }

  @Test
  void anH2ConversionCutShortAfterTheCopyIsFinishedByTheNextStart() throws SQLException {
    startsAfterAConversionCutShort(false);
  }

  @Test
  void anH2ConversionCutShortAfterTheFirstColumnIsFinishedByTheNextStart() throws SQLException {
    startsAfterAConversionCutShort(true);
  }

  /**
   * H2 commits at each change of a table's structure, so a kill during the conversion can leave the
   * states copied with every old column still there, or with only some of them dropped.
   */
  private void startsAfterAConversionCutShort(boolean statusDropped) throws SQLException {
    try (Connection old = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("relay"), "", "");
        Statement statement = old.createStatement()) {
      journalItemAsBefore(old);
      statement.execute(
          "CREATE TABLE journal_item_state AS SELECT item_id, destination_id, queued_at, seq, is_test, status, attempts,"
              + " last_status, last_error, last_attempt_at, next_attempt_at, replayed_as FROM journal_item");
      statement.execute("ALTER TABLE journal_item_state ALTER COLUMN item_id SET NOT NULL");
      statement.execute("ALTER TABLE journal_item_state ADD PRIMARY KEY (item_id)");
      if (statusDropped) {
        statement.execute("DROP INDEX journal_item_by_status");
        statement.execute("ALTER TABLE journal_item DROP COLUMN status");
      }
    }
    assertActionStatesMovedAfterStartsOnH2(1);
  }

  /** Starts a node's database on the H2 file {@code starts} times, then checks the states moved. */
  private void assertActionStatesMovedAfterStartsOnH2(int starts) throws SQLException {
    Config config = RelayConfig.load(ConfigFactory.parseMap(Map.of("relay.data-dir", dataDir.toString())));
    for (int start = 0; start < starts; start++) {
      try (Database database = Database.open(RelaySettings.from(config).database())) {
        database.createSchemaIfMissing();
      }
    }
    try (Database database = Database.open(RelaySettings.from(config).database());
        Connection connection = database.dataSource().getConnection()) {
      assertActionStatesMoved(connection);
    }
  }

  @Test
  void aPostgresDatabaseWithActionStatesInJournalItemMovesThemToTheirTable() throws Exception {
    try (PostgresDatabase postgres = PostgresDatabase.create()) {
      try (Connection old = postgres.connect()) {
        journalItemAsBefore(old);
      }
      Config config =
          RelayConfig.load(
              ConfigFactory.parseMap(
                  Map.of("relay.db.url", postgres.url(), "relay.db.user", PostgresDatabase.USER, "relay.data-dir", dataDir.toString())));
      for (int start = 0; start < 2; start++) {
        try (Database database = Database.open(RelaySettings.from(config).database())) {
          database.createSchemaIfMissing();
        }
      }
      try (Connection connection = postgres.connect()) {
        assertActionStatesMoved(connection);
        assertFalse(names(connection, "INDEX").contains("journal_item_by_status"), "the old status index is gone");
      }
    }
  }

  /** journal_item as nodes made it before journal_item_state: one delivered action, one failed and replayed. */
  private static void journalItemAsBefore(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE journal_item (item_id VARCHAR(64) NOT NULL PRIMARY KEY, destination_id VARCHAR(64) NOT NULL,"
              + " seq BIGINT NOT NULL, action_id VARCHAR(64) NOT NULL, action_name VARCHAR(255) NOT NULL,"
              + " source_id VARCHAR(64), message_id VARCHAR(255) NOT NULL, event_type VARCHAR(32), event_name VARCHAR(255),"
              + " user_id VARCHAR(255), status VARCHAR(16) NOT NULL, attempts INT NOT NULL, last_status INT,"
              + " last_error VARCHAR(1000), queued_at BIGINT NOT NULL, last_attempt_at BIGINT, next_attempt_at BIGINT,"
              + " is_test BOOLEAN NOT NULL, event_json VARCHAR NOT NULL, replay_of VARCHAR(64), replayed_as VARCHAR(64))");
      statement.execute("CREATE INDEX journal_item_by_status ON journal_item (destination_id, status, queued_at, seq)");
      statement.execute(
          "INSERT INTO journal_item VALUES ('itm_1', 'dst_1', 7, 'act_1', 'Send', 'src_1', 'm1', 'track', 'Bought', 'u1',"
              + " 'delivered', 1, 200, NULL, 1000, 1100, NULL, FALSE, '{\"messageId\":\"m1\"}', NULL, NULL)");
      statement.execute(
          "INSERT INTO journal_item VALUES ('itm_2', 'dst_1', 8, 'act_1', 'Send', 'src_1', 'm2', 'track', 'Bought', 'u2',"
              + " 'failed', 3, 400, 'refused', 2000, 2300, NULL, TRUE, '{\"messageId\":\"m2\"}', NULL, 'itm_3')");
      if (!connection.getAutoCommit()) {
        connection.commit();
      }
    }
  }

  /** Both actions of {@link #journalItemAsBefore} stand where they stood, in journal_item_state only. */
  private static void assertActionStatesMoved(Connection connection) throws SQLException {
    List<String> states = new ArrayList<>();
    try (ResultSet rows =
        connection.createStatement().executeQuery(
            "SELECT s.item_id, s.destination_id, s.queued_at, s.seq, s.is_test, s.status, s.attempts, s.last_status,"
                + " s.last_error, s.last_attempt_at, s.next_attempt_at, s.replayed_as, i.event_json"
                + " FROM journal_item_state s JOIN journal_item i ON i.item_id = s.item_id ORDER BY s.item_id")) {
      while (rows.next()) {
        List<String> row = new ArrayList<>();
        for (int column = 1; column <= 13; column++) {
          row.add(String.valueOf(rows.getObject(column)));
        }
        states.add(String.join("|", row));
      }
    }
    assertEquals(
        List.of(
            "itm_1|dst_1|1000|7|false|delivered|1|200|null|1100|null|null|{\"messageId\":\"m1\"}",
            "itm_2|dst_1|2000|8|true|failed|3|400|refused|2300|null|itm_3|{\"messageId\":\"m2\"}"),
        states);
    try (ResultSet rows =
        connection.createStatement().executeQuery(
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS WHERE LOWER(TABLE_NAME) = 'journal_item'"
                + " AND LOWER(COLUMN_NAME) IN ('status', 'attempts', 'last_status', 'last_error', 'last_attempt_at',"
                + " 'next_attempt_at', 'replayed_as')")) {
      rows.next();
      assertEquals(0, rows.getLong(1), "journal_item keeps none of the columns that moved");
    }
  }

  private static final String INSERT_EVENT =
      "INSERT INTO PUBLIC.\"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", \"write_timestamp\","
          + " \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\") ";

  /** {@code table.column} of every BLOB column in the public schema, lower-cased. */
  private static Set<String> lobColumns(Connection connection) throws SQLException {
    Set<String> columns = new TreeSet<>();
    try (ResultSet rows =
        connection.createStatement().executeQuery(
            "SELECT TABLE_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = 'PUBLIC' AND DATA_TYPE = 'BINARY LARGE OBJECT'")) {
      while (rows.next()) {
        columns.add((rows.getString(1) + "." + rows.getString(2)).toLowerCase(Locale.ROOT));
      }
    }
    return columns;
  }

  /** Every table the node needs: journal, tags, snapshots, pending actions, projection offsets, the read side. */
  private static final Set<String> TABLES =
      Set.of(
          "event_journal", "event_tag", "snapshot", "relay_pending", "pekko_projection_offset_store", "pekko_projection_management",
          "journal_item", "journal_item_state", "journal_destination", "journal_attempt", "journal_attempt_item", "journal_minute",
          "journal_latency");

  /** The indexes the queries rely on (PostgreSQL names them as the scripts do). */
  private static final Set<String> INDEXES =
      Set.of(
          "event_journal_ordering_idx", "event_tag_tag_idx", "relay_pending_due_idx", "projection_name_index", "journal_item_by_time",
          "journal_item_state_by_status", "journal_item_by_type", "journal_item_by_event", "journal_item_by_user",
          "journal_item_by_message");

  /** Lower-cased names of the tables, or indexes, in the connection's public schema. */
  private static Set<String> names(Connection connection, String kind) throws SQLException {
    Set<String> names = new TreeSet<>();
    if (kind.equals("TABLE")) {
      try (ResultSet tables = connection.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
        while (tables.next()) {
          if (tables.getString("TABLE_SCHEM").equalsIgnoreCase("public")) {
            names.add(tables.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
          }
        }
      }
    } else {
      try (ResultSet indexes =
          connection.createStatement().executeQuery("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")) {
        while (indexes.next()) {
          names.add(indexes.getString(1));
        }
      }
    }
    return Set.copyOf(names);
  }

  @Test
  void schemaScriptsSplitIntoStatements() {
    List<String> statements = Database.statements("db/postgres.sql");
    assertTrue(statements.size() >= 8, "statements: " + statements.size());
    assertTrue(statements.stream().noneMatch(s -> s.contains("--")), "comments are dropped");
    assertTrue(statements.stream().allMatch(s -> !s.endsWith(";")));
  }
}
