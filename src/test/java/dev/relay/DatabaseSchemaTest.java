package dev.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.testing.PostgresDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
              try (Database database = Database.open(config)) {
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
      try (Connection connection = postgres.connect();
          ResultSet tables =
              connection.createStatement().executeQuery(
                  "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'event_journal'")) {
        tables.next();
        assertEquals(1, tables.getInt(1));
      }
    }
  }

  @Test
  void aSecondStartOnH2FindsTheSchemaInPlace() {
    Config config = RelayConfig.load(ConfigFactory.parseMap(Map.of("relay.data-dir", dataDir.toString())));
    for (int start = 0; start < 2; start++) {
      try (Database database = Database.open(config)) {
        database.createSchemaIfMissing();
      }
    }
    assertTrue(dataDir.resolve("relay.mv.db").toFile().exists(), "the H2 file lives in the data dir");
  }

  @Test
  void schemaScriptsSplitIntoStatements() {
    List<String> statements = Database.statements("db/postgres.sql");
    assertTrue(statements.size() >= 8, "statements: " + statements.size());
    assertTrue(statements.stream().noneMatch(s -> s.contains("--")), "comments are dropped");
    assertTrue(statements.stream().allMatch(s -> !s.endsWith(";")));
  }
}
