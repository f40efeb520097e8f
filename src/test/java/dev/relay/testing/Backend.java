package dev.relay.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Map;

/**
 * The two databases a node runs on. A test class that touches persistence gets one of each (see
 * {@link Storage}), so every such test runs on the embedded H2 and on PostgreSQL.
 */
public enum Backend {
  H2,
  POSTGRES;

  /** A place to keep a node's data for one test class. */
  public Storage open(Path dataDir) {
    return this == H2 ? new Storage(dataDir, null) : new Storage(dataDir, PostgresDatabase.create());
  }

  /** Data dir plus, on PostgreSQL, a database of its own; closing drops the database. */
  public record Storage(Path dataDir, PostgresDatabase postgres) implements AutoCloseable {

    public Config config() {
      if (postgres == null) {
        return ConfigFactory.parseMap(Map.of("relay.data-dir", dataDir.toString()));
      }
      return ConfigFactory.parseMap(
          Map.of(
              "relay.data-dir", dataDir.toString(),
              "relay.db.url", postgres.url(),
              "relay.db.user", PostgresDatabase.USER));
    }

    @Override
    public void close() {
      if (postgres != null) {
        postgres.close();
      }
    }
  }
}
