package dev.relay;

import com.typesafe.config.Config;
import dev.relay.console.ConsoleSettings;
import dev.relay.core.SettingRules;
import dev.relay.delivery.DeliverySettings;
import dev.relay.destination.DestinationTags;
import dev.relay.ingest.IngestSettings;
import dev.relay.mapping.MappingLimits;
import dev.relay.metrics.MetricsSettings;
import dev.relay.persistence.DatabaseSettings;
import dev.relay.persistence.JournalFailureBackoff;
import dev.relay.readside.ReadSideSettings;
import dev.relay.retention.RetentionSettings;
import dev.relay.source.SourceDirectorySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The relay.* configuration, read once at start, before anything starts, into the settings of each
 * package, which the node hands down. Each record checks its numbers: a bad value stops the node
 * with a message naming the key.
 *
 * @param testerTimeout how long the API call tester waits (relay.read-side.tester-timeout, its name
 *     since before the tester moved beside the destination)
 */
public record RelaySettings(
    int httpPort,
    String httpInterface,
    Duration httpDrainTimeout,
    Path dataDir,
    String adminToken,
    boolean clusterBootstrap,
    DestinationTags readSideTags,
    Duration testerTimeout,
    Admin admin,
    DatabaseSettings database,
    JournalFailureBackoff journalFailureBackoff,
    IngestSettings ingest,
    MappingLimits mappingLimits,
    DeliverySettings delivery,
    SourceDirectorySettings sourceDirectory,
    ReadSideSettings readSide,
    ConsoleSettings console,
    MetricsSettings metrics,
    RetentionSettings retention) {

  public RelaySettings {
    // 0: any free port (tests).
    SettingRules.between("relay.http.port", httpPort, 0, 65535);
    SettingRules.notNegative("relay.http.drain-timeout", httpDrainTimeout);
    SettingRules.positive("relay.read-side.tester-timeout", testerTimeout);
    // What a pending action's delivery still needs must outlive the longest it may be pending.
    SettingRules.notBelow(
        "relay.retention.period", retention.period(), "relay.delivery.retry.max-window", delivery.retryPolicy().maxWindow());
  }

  /**
   * The admin API's listener and its guard against token guessing.
   *
   * @param port the admin API's own port; empty: it shares {@code httpPort} with ingest
   * @param askTimeout how long an admin request waits for an entity's answer
   */
  public record Admin(
      Optional<Integer> port, int maxFailures, Duration failureWindow, int trackedAddresses, Duration askTimeout) {

    public Admin {
      port.ifPresent(p -> SettingRules.between("relay.admin.port", p, 0, 65535));
      SettingRules.atLeast("relay.admin.max-failures", maxFailures, 1);
      SettingRules.positive("relay.admin.failure-window", failureWindow);
      SettingRules.atLeast("relay.admin.tracked-addresses", trackedAddresses, 1);
      SettingRules.positive("relay.admin.ask-timeout", askTimeout);
    }
  }

  public static RelaySettings from(Config config) {
    Config relay = config.getConfig("relay");
    // Pekko reads the number of shards (application.conf substitutes it); checked here so that a
    // bad one stops the node naming the key Relay documents.
    SettingRules.atLeast("relay.cluster.shards", relay.getInt("cluster.shards"), 1);
    Path dataDir = Path.of(relay.getString("data-dir")).toAbsolutePath().normalize();
    ReadSideSettings readSide = ReadSideSettings.from(config);
    return new RelaySettings(
        relay.getInt("http.port"),
        relay.getString("http.interface"),
        relay.getDuration("http.drain-timeout"),
        dataDir,
        relay.getString("admin-token"),
        relay.getBoolean("cluster.bootstrap"),
        new DestinationTags(relay.getInt("read-side.tags")),
        relay.getDuration("read-side.tester-timeout"),
        new Admin(
            relay.hasPath("admin.port") ? Optional.of(relay.getInt("admin.port")) : Optional.empty(),
            relay.getInt("admin.max-failures"),
            relay.getDuration("admin.failure-window"),
            relay.getInt("admin.tracked-addresses"),
            relay.getDuration("admin.ask-timeout")),
        DatabaseSettings.from(config, dataDir, readSide.statementTimeout()),
        JournalFailureBackoff.from(config),
        IngestSettings.from(config),
        new MappingLimits(
            config.getInt(MappingLimits.MAX_TRIGGER_LENGTH),
            config.getInt(MappingLimits.MAX_NESTING_DEPTH),
            config.getInt(MappingLimits.MAX_MAPPING_SIZE)),
        DeliverySettings.from(config),
        SourceDirectorySettings.from(config),
        readSide,
        ConsoleSettings.from(config),
        MetricsSettings.from(config),
        RetentionSettings.from(config));
  }
}
