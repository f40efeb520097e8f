package dev.relay.persistence;

import com.typesafe.config.Config;
import dev.relay.core.SettingRules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The relay.db configuration and the connection of the journal's pool (which {@code RelayConfig}
 * derives from relay.db.url or relay.data-dir), read once at start; a value out of range stops the
 * node with a message naming its key.
 *
 * @param driverProperties the JDBC driver's properties of the journal's pool ({@code db.properties}),
 *     which the read side's pool takes too
 * @param h2File the embedded database's file (meaningless on PostgreSQL)
 * @param h2StoreBuffer how much the embedded store may change in memory before it writes a store of
 *     its own, in bytes (see {@link H2StoreBuffer})
 * @param statementTimeout longest any read-side statement may run (relay.read-side.statement-timeout,
 *     read with the read side's settings and passed in)
 */
public record DatabaseSettings(
    boolean postgres,
    String url,
    String user,
    String password,
    String driver,
    Map<String, String> driverProperties,
    Path h2File,
    long h2StoreBuffer,
    int readSidePoolSize,
    Duration connectionTimeout,
    Duration statementTimeout,
    Duration startRetryMinBackoff,
    Duration startRetryMaxBackoff,
    Duration probeInterval,
    Duration probeTimeout,
    H2Housekeeping.Settings h2Housekeeping) {

  private static final String KEY = "relay.db.";

  public DatabaseSettings {
    // H2 counts it in an int.
    SettingRules.between(KEY + "h2-store-buffer", h2StoreBuffer, 1 << 20, Integer.MAX_VALUE);
    SettingRules.atLeast(KEY + "read-side-pool-size", readSidePoolSize, 1);
    // Hikari refuses less than 250 ms.
    SettingRules.atLeast(KEY + "connection-timeout", connectionTimeout.toMillis(), 250);
    SettingRules.positive("relay.read-side.statement-timeout", statementTimeout);
    SettingRules.positive(KEY + "start-retry-min-backoff", startRetryMinBackoff);
    SettingRules.notBelow(
        KEY + "start-retry-max-backoff", startRetryMaxBackoff, KEY + "start-retry-min-backoff", startRetryMinBackoff);
    SettingRules.positive(KEY + "probe-interval", probeInterval);
    SettingRules.positive(KEY + "probe-timeout", probeTimeout);
  }

  /** Reads relay.db and the journal's connection; {@code dataDir} holds the embedded database. */
  public static DatabaseSettings from(Config config, Path dataDir, Duration statementTimeout) {
    Config db = config.getConfig("relay.db");
    Config pool = config.getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
    return new DatabaseSettings(
        Database.usesPostgres(config),
        pool.getString("url"),
        pool.getString("user"),
        pool.getString("password"),
        pool.getString("driver"),
        driverProperties(pool),
        dataDir.resolve("relay.mv.db"),
        db.getBytes("h2-store-buffer"),
        db.getInt("read-side-pool-size"),
        db.getDuration("connection-timeout"),
        statementTimeout,
        db.getDuration("start-retry-min-backoff"),
        db.getDuration("start-retry-max-backoff"),
        db.getDuration("probe-interval"),
        db.getDuration("probe-timeout"),
        H2Housekeeping.Settings.from(config));
  }

  private static Map<String, String> driverProperties(Config pool) {
    if (!pool.hasPath("properties")) {
      return Map.of();
    }
    Map<String, String> properties = new TreeMap<>();
    pool.getConfig("properties").entrySet().forEach(e -> properties.put(e.getKey(), String.valueOf(e.getValue().unwrapped())));
    return Map.copyOf(properties);
  }

  /** Without the password, which a record would print. */
  @Override
  public String toString() {
    return "DatabaseSettings[" + (postgres ? url : h2File) + ", user " + user + ", pool " + readSidePoolSize + "]";
  }
}
