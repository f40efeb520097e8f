package dev.relay;

import com.typesafe.config.Config;
import dev.relay.delivery.AddressPolicy;
import dev.relay.delivery.RetryPolicy;
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
    int readSideTags,
    Delivery delivery,
    MappingLimits mappingLimits,
    Admin admin) {

  /**
   * The admin API's listener and its guard against token guessing.
   *
   * @param port the admin API's own port; empty: it shares {@code httpPort} with ingest
   */
  public record Admin(Optional<Integer> port, int maxFailures, Duration failureWindow, int trackedAddresses) {}

  /** Settings of delivery to destinations. */
  public record Delivery(
      int maxInFlight,
      int snapshotEvery,
      int dedupWindowSize,
      Duration dedupWindow,
      int responseExcerptBytes,
      int recordedRequestBytes,
      RetryPolicy retryPolicy,
      int maxResponseBytes,
      int maxTestsInFlight,
      AddressPolicy addressPolicy) {

    public Delivery {
      if (maxResponseBytes < responseExcerptBytes) {
        throw new IllegalArgumentException(
            "relay.delivery.max-response-bytes (" + maxResponseBytes + ") must not be below"
                + " relay.delivery.response-excerpt-bytes (" + responseExcerptBytes + ")");
      }
    }
  }

  public static RelaySettings from(Config config) {
    Config relay = config.getConfig("relay");
    Config delivery = relay.getConfig("delivery");
    Config retry = delivery.getConfig("retry");
    return new RelaySettings(
        relay.getInt("http.port"),
        relay.getString("http.interface"),
        relay.getDuration("http.drain-timeout"),
        Path.of(relay.getString("data-dir")).toAbsolutePath().normalize(),
        relay.getString("admin-token"),
        relay.getInt("cluster.shards"),
        relay.getBoolean("cluster.bootstrap"),
        relay.getInt("read-side.tags"),
        new Delivery(
            delivery.getInt("max-in-flight"),
            delivery.getInt("snapshot-every"),
            delivery.getInt("dedup-window-size"),
            delivery.getDuration("dedup-window"),
            delivery.getInt("response-excerpt-bytes"),
            delivery.getInt("recorded-request-bytes"),
            new RetryPolicy(
                retry.getDuration("base-delay"),
                retry.getInt("max-retries"),
                retry.getDuration("max-window"),
                retry.getDouble("jitter"),
                retry.getDuration("max-retry-after")),
            delivery.getInt("max-response-bytes"),
            delivery.getInt("max-tests-in-flight"),
            AddressPolicy.allowing(delivery.getString("allowed-networks"))),
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
