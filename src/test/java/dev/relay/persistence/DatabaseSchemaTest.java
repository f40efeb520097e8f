package dev.relay.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
          "journal_item", "journal_destination", "journal_attempt", "journal_attempt_item", "journal_minute",
          "journal_latency");

  /** The indexes the queries rely on (PostgreSQL names them as the scripts do). */
  private static final Set<String> INDEXES =
      Set.of(
          "event_journal_ordering_idx", "event_tag_tag_idx", "relay_pending_due_idx", "projection_name_index", "journal_item_by_time",
          "journal_item_by_status", "journal_item_by_type", "journal_item_by_event", "journal_item_by_user",
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
