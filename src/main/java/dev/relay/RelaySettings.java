package dev.relay;


import com.typesafe.config.Config;
import dev.relay.delivery.DeliverySettings;
import dev.relay.destination.DestinationTags;
import dev.relay.mapping.MappingLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The relay.* configuration, read once at start. */
public record RelaySettings(
    int httpPort,
    String httpInterface,
    Duration httpDrainTimeout,
    Path dataDir,
    String adminToken,
    int shards,
    boolean clusterBootstrap,
    DestinationTags readSideTags,
    DeliverySettings delivery,
    MappingLimits mappingLimits,
    Admin admin) {

  /**
   * The admin API's listener and its guard against token guessing.
   *
   * @param port the admin API's own port; empty: it shares {@code httpPort} with ingest
   */
  public record Admin(Optional<Integer> port, int maxFailures, Duration failureWindow, int trackedAddresses) {}

  public static RelaySettings from(Config config) {
    Config relay = config.getConfig("relay");
    return new RelaySettings(
        relay.getInt("http.port"),
        relay.getString("http.interface"),
        relay.getDuration("http.drain-timeout"),
        Path.of(relay.getString("data-dir")).toAbsolutePath().normalize(),
        relay.getString("admin-token"),
        relay.getInt("cluster.shards"),
        relay.getBoolean("cluster.bootstrap"),
        new DestinationTags(relay.getInt("read-side.tags")),
        DeliverySettings.from(config),
        new MappingLimits(
            config.getInt(MappingLimits.MAX_TRIGGER_LENGTH),
            config.getInt(MappingLimits.MAX_NESTING_DEPTH),
            config.getInt(MappingLimits.MAX_MAPPING_SIZE)),
        new Admin(
            relay.hasPath("admin.port") ? Optional.of(relay.getInt("admin.port")) : Optional.empty(),
            relay.getInt("admin.max-failures"),
            relay.getDuration("admin.failure-window"),
            relay.getInt("admin.tracked-addresses")));
  }
}
