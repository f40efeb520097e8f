package dev.relay;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.relay.persistence.Database;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a node's configuration: application.conf (or -Dconfig.file) plus what can only be derived,
 * namely which database the journal uses and the seed nodes of a local multi-process cluster.
 */
public final class RelayConfig {

  /**
   * PostgreSQL driver properties of both pools (the journal's here, the read side's through
   * DatabaseSettings); a parameter of the same name in relay.db.url wins over them.
   * reWriteBatchedInserts: the driver sends a JDBC batch of single-row INSERTs as multi-row INSERTs
   * (up to 128 rows a statement) instead of one statement per row, so PostgreSQL parses, plans and
   * executes a group's rows a few times instead of once per row: the event tags, pending rows and
   * every read-side insert. The journal's own insert, which asks for generated keys, is left as it
   * was by the driver.
   */
  private static final Map<String, String> POSTGRES_DRIVER_PROPERTIES = Map.of("reWriteBatchedInserts", "true");

  private RelayConfig() {}

  /** The configuration of a node started from the command line. */
  public static Config load() {
    return load(ConfigFactory.empty());
  }

  /** The configuration of a node with {@code overrides} on top of system properties and files. */
  public static Config load(Config overrides) {
    ConfigFactory.invalidateCaches();
    Config base =
        ConfigFactory.defaultOverrides()
            .withFallback(overrides)
            .withFallback(ConfigFactory.defaultApplication())
            .withFallback(ConfigFactory.defaultReference())
            .resolve();
    return database(base).withFallback(seedNodes(base)).withFallback(base);
  }

  private static Config database(Config base) {
    String slick = "pekko-persistence-jdbc.shared-databases.slick.";
    if (Database.usesPostgres(base)) {
      Map<String, Object> postgres = new HashMap<>();
      postgres.put(slick + "profile", "slick.jdbc.PostgresProfile$");
      postgres.put(slick + "db.url", base.getString("relay.db.url"));
      postgres.put(slick + "db.user", base.getString("relay.db.user"));
      postgres.put(slick + "db.password", base.getString("relay.db.password"));
      postgres.put(slick + "db.driver", "org.postgresql.Driver");
      // Slick hands db.properties to the driver; DatabaseSettings gives the read side's pool the same.
      POSTGRES_DRIVER_PROPERTIES.forEach((name, value) -> postgres.put(slick + "db.properties." + name, value));
      postgres.put("pekko.projection.jdbc.dialect", "postgres-dialect");
      return ConfigFactory.parseMap(postgres);
    }
    Path file = Path.of(base.getString("relay.data-dir")).toAbsolutePath().normalize().resolve("relay");
    return ConfigFactory.parseMap(
        Map.of(
            slick + "profile", "slick.jdbc.H2Profile$",
            // H2 closes with the last connection, not in its own shutdown hook, which would race
            // with Pekko's coordinated shutdown still writing to the journal. WRITE_DELAY=500 lets
            // H2 write commits to its file in batches (each write is a chunk of every page changed
            // since, so one per commit made the file grow by ~60 KB per event); whatever the node
            // acknowledges waits for Database.flushed() first, a group commit that writes
            // everything committed so far: 200 still means on disk.
            // H2 writes new chunks into the space of dead ones (its REUSE_SPACE default); a kill
            // then left files H2 reopened without their last commits, until H2StoreHeader made the
            // store header name the newest chunk before each acknowledgement. AUTO_COMPACT_FILL_RATE=0
            // turns H2's own compaction off: it sizes its work by the store buffer (a 64 MiB rewrite or
            // a 512 MiB move at a time with the node's, 2 GB when idle), and H2Housekeeping compacts
            // instead, in steps of its own size.
            slick + "db.url",
            "jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=500;AUTO_COMPACT_FILL_RATE=0" + base.getString("relay.db.h2-options"),
            slick + "db.user", "",
            slick + "db.password", "",
            slick + "db.driver", "org.h2.Driver",
            "pekko.projection.jdbc.dialect", "h2-dialect"));
  }

  private static Config seedNodes(Config base) {
    String seeds = base.getString("relay.cluster.seed-nodes");
    if (seeds.isBlank()) {
      return ConfigFactory.empty();
    }
    List<String> addresses =
        Arrays.stream(seeds.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .map(hostPort -> "pekko://relay@" + hostPort)
            .toList();
    return ConfigFactory.empty()
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(addresses));
  }
}
