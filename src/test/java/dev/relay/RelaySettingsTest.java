package dev.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.relay.delivery.DeliverySettings;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The configuration as read at start: the delivery defaults, allowed networks, and a refusal naming
 * the key for every value out of range, which stops the node before anything starts.
 */
class RelaySettingsTest {

  private static DeliverySettings delivery(Map<String, Object> overrides) {
    return RelaySettings.from(RelayConfig.load(ConfigFactory.parseMap(overrides))).delivery();
  }

  @Test
  void byDefaultDestinationsMayNotReachLoopbackAndTheBoundsAreSet() throws Exception {
    DeliverySettings delivery = delivery(Map.of());
    assertEquals(Optional.of("loopback address"), delivery.addressPolicy().refusal(InetAddress.getByName("127.0.0.1")));
    assertEquals(65_536, delivery.maxResponseBytes());
    assertEquals(4, delivery.maxTestsInFlight());
  }

  @Test
  void allowedNetworksAreRead() throws Exception {
    DeliverySettings delivery = delivery(Map.of("relay.delivery.allowed-networks", "127.0.0.0/8, 10.1.0.0/16"));
    assertEquals(Optional.empty(), delivery.addressPolicy().refusal(InetAddress.getByName("127.0.0.1")));
    assertEquals(Optional.empty(), delivery.addressPolicy().refusal(InetAddress.getByName("10.1.2.3")));
    assertEquals(Optional.of("private address"), delivery.addressPolicy().refusal(InetAddress.getByName("10.2.0.1")));
  }

  @Test
  void aBadRangeStopsTheStartNamingTheKey() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> delivery(Map.of("relay.delivery.allowed-networks", "10.0.0.0/8,10.0.0.0/33")));
    assertTrue(e.getMessage().startsWith("relay.delivery.allowed-networks: '10.0.0.0/33' is not an IP address or CIDR range"), e.getMessage());
  }

  @Test
  void aResponseBoundBelowTheExcerptIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> delivery(Map.of("relay.delivery.max-response-bytes", 100)));
    assertTrue(e.getMessage().startsWith("relay.delivery.max-response-bytes (100) must not be below"), e.getMessage());
  }

  @Test
  void theDefaultsAreAllInRange() {
    RelaySettings settings = RelaySettings.from(RelayConfig.load(ConfigFactory.empty()));
    assertEquals(4, settings.readSideTags().count());
    assertEquals(32, settings.delivery().maxInFlight());
  }

  /** Every check of every settings record: the message starts with the key to fix. */
  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "relay.http.port|70000|relay.http.port must be between 0 and 65535, got 70000",
        "relay.http.drain-timeout|-1s|relay.http.drain-timeout must not be negative, got PT-1S",
        "relay.read-side.tags|0|relay.read-side.tags must be at least 1, got 0",
        "relay.read-side.tester-timeout|0s|relay.read-side.tester-timeout must be longer than 0, got PT0S",
        "relay.cluster.shards|0|relay.cluster.shards must be at least 1, got 0",
        "relay.admin.port|70000|relay.admin.port must be between 0 and 65535, got 70000",
        "relay.admin.max-failures|0|relay.admin.max-failures must be at least 1, got 0",
        "relay.admin.failure-window|0s|relay.admin.failure-window must be longer than 0, got PT0S",
        "relay.admin.tracked-addresses|0|relay.admin.tracked-addresses must be at least 1, got 0",
        "relay.admin.ask-timeout|0s|relay.admin.ask-timeout must be longer than 0, got PT0S",
        "relay.db.read-side-pool-size|0|relay.db.read-side-pool-size must be at least 1, got 0",
        "relay.db.connection-timeout|100ms|relay.db.connection-timeout must be at least 250, got 100",
        "relay.db.start-retry-min-backoff|0s|relay.db.start-retry-min-backoff must be longer than 0, got PT0S",
        "relay.db.start-retry-max-backoff|500ms|relay.db.start-retry-max-backoff (PT0.5S) must not be below relay.db.start-retry-min-backoff (PT1S)",
        "relay.db.probe-interval|0s|relay.db.probe-interval must be longer than 0, got PT0S",
        "relay.db.probe-timeout|0s|relay.db.probe-timeout must be longer than 0, got PT0S",
        "relay.db.h2-store-buffer|1000|relay.db.h2-store-buffer must be between 1048576 and 2147483647, got 1000",
        "relay.db.h2-housekeeping.interval|0s|relay.db.h2-housekeeping.interval must be longer than 0, got PT0S",
        "relay.db.h2-housekeeping.retention-time|-1s|relay.db.h2-housekeeping.retention-time must not be negative, got PT-1S",
        "relay.db.h2-housekeeping.target-fill-rate|101|relay.db.h2-housekeeping.target-fill-rate must be between 0 and 100, got 101",
        "relay.db.h2-housekeeping.shrink-below-fill-rate|-1|relay.db.h2-housekeeping.shrink-below-fill-rate must be between 0 and 100, got -1",
        "relay.db.h2-housekeeping.rewrite-per-run|0|relay.db.h2-housekeeping.rewrite-per-run must be between 1 and 2147483647, got 0",
        "relay.db.h2-housekeeping.rewrite-per-run|2GiB|relay.db.h2-housekeeping.rewrite-per-run must be between 1 and 2147483647, got 2147483648",
        "relay.db.h2-housekeeping.move-per-run|0|relay.db.h2-housekeeping.move-per-run must be between 1 and 9223372036854775807, got 0",
        "relay.journal-failure-backoff.min|0s|relay.journal-failure-backoff.min must be longer than 0, got PT0S",
        "relay.journal-failure-backoff.max|100ms|relay.journal-failure-backoff.max (PT0.1S) must not be below relay.journal-failure-backoff.min (PT0.2S)",
        "relay.journal-failure-backoff.random-factor|1.5|relay.journal-failure-backoff.random-factor must be between 0.0 and 1.0, got 1.5",
        "relay.ingest.max-event-bytes|0|relay.ingest.max-event-bytes must be at least 1, got 0",
        "relay.ingest.max-request-bytes|1000|relay.ingest.max-request-bytes (1000) must not be below relay.ingest.max-event-bytes (32768)",
        "relay.ingest.max-nesting-depth|2|relay.ingest.max-nesting-depth must be at least 3, got 2",
        "relay.ingest.timeout|0s|relay.ingest.timeout must be longer than 0, got PT0S",
        "relay.ingest.batch.max-events|0|relay.ingest.batch.max-events must be at least 1, got 0",
        "relay.ingest.batch.parallelism|0|relay.ingest.batch.parallelism must be at least 1, got 0",
        "relay.ingest.batch.queue-size|0|relay.ingest.batch.queue-size must be at least 1, got 0",
        "relay.ingest.batch.retries|0|relay.ingest.batch.retries must be at least 1, got 0",
        "relay.ingest.batch.retry-delay|-1ms|relay.ingest.batch.retry-delay must not be negative, got PT-0.001S",
        "relay.mapping.max-trigger-length|0|relay.mapping.max-trigger-length must be at least 1, got 0",
        "relay.mapping.max-nesting-depth|0|relay.mapping.max-nesting-depth must be at least 1, got 0",
        "relay.mapping.max-mapping-size|0|relay.mapping.max-mapping-size must be at least 1, got 0",
        "relay.delivery.max-in-flight|0|relay.delivery.max-in-flight must be at least 1, got 0",
        "relay.delivery.snapshot-every|0|relay.delivery.snapshot-every must be at least 1, got 0",
        "relay.delivery.dedup-window-size|0|relay.delivery.dedup-window-size must be at least 1, got 0",
        "relay.delivery.dedup-window|0s|relay.delivery.dedup-window must be longer than 0, got PT0S",
        "relay.delivery.response-excerpt-bytes|-1|relay.delivery.response-excerpt-bytes must be at least 0, got -1",
        "relay.delivery.recorded-request-bytes|-1|relay.delivery.recorded-request-bytes must be at least 0, got -1",
        "relay.delivery.max-tests-in-flight|0|relay.delivery.max-tests-in-flight must be at least 1, got 0",
        "relay.delivery.max-connect-timeout|0s|relay.delivery.max-connect-timeout must be longer than 0, got PT0S",
        "relay.delivery.retry.base-delay|0s|relay.delivery.retry.base-delay must be longer than 0, got PT0S",
        "relay.delivery.retry.max-retries|-1|relay.delivery.retry.max-retries must be at least 0, got -1",
        "relay.delivery.retry.max-window|0s|relay.delivery.retry.max-window must be longer than 0, got PT0S",
        "relay.delivery.retry.jitter|1.5|relay.delivery.retry.jitter must be between 0.0 and 1.0, got 1.5",
        "relay.delivery.retry.max-retry-after|-1s|relay.delivery.retry.max-retry-after must not be negative, got PT-1S",
        "relay.source-directory.write-timeout|0s|relay.source-directory.write-timeout must be longer than 0, got PT0S",
        "relay.source-directory.read-timeout|0s|relay.source-directory.read-timeout must be longer than 0, got PT0S",
        "relay.source-directory.convergence-wait|-1s|relay.source-directory.convergence-wait must not be negative, got PT-1S",
        "relay.source-directory.convergence-check-interval|0s|relay.source-directory.convergence-check-interval must be longer than 0, got PT0S",
        "relay.source-directory.load-retry-min-backoff|0s|relay.source-directory.load-retry-min-backoff must be longer than 0, got PT0S",
        "relay.source-directory.load-retry-max-backoff|500ms|relay.source-directory.load-retry-max-backoff (PT0.5S) must not be below relay.source-directory.load-retry-min-backoff (PT1S)",
        "relay.read-side.group-max-events|0|relay.read-side.group-max-events must be at least 1, got 0",
        "relay.read-side.group-max-wait|0s|relay.read-side.group-max-wait must be longer than 0, got PT0S",
        "relay.read-side.restart-min-backoff|0s|relay.read-side.restart-min-backoff must be longer than 0, got PT0S",
        "relay.read-side.restart-max-backoff|500ms|relay.read-side.restart-max-backoff (PT0.5S) must not be below relay.read-side.restart-min-backoff (PT1S)",
        "relay.read-side.restart-random-factor|1.5|relay.read-side.restart-random-factor must be between 0.0 and 1.0, got 1.5",
        "relay.read-side.statement-timeout|0s|relay.read-side.statement-timeout must be longer than 0, got PT0S",
        "relay.read-side.health.check-interval|0s|relay.read-side.health.check-interval must be longer than 0, got PT0S",
        "relay.read-side.health.stall-warn-after|0s|relay.read-side.health.stall-warn-after must be longer than 0, got PT0S",
        "relay.read-side.health.stall-restart-after|30s|relay.read-side.health.stall-restart-after (PT30S) must not be below relay.read-side.health.stall-warn-after (PT1M)",
        "relay.read-side.redrive.page-size|501|relay.read-side.redrive.page-size must be between 1 and 500, got 501",
        "relay.read-side.redrive.pending-limit|0|relay.read-side.redrive.pending-limit must be at least 1, got 0",
        "relay.read-side.redrive.pause|0s|relay.read-side.redrive.pause must be longer than 0, got PT0S",
        "relay.console.refresh-interval|0s|relay.console.refresh-interval must be longer than 0, got PT0S",
        "relay.console.journal-page-size|0|relay.console.journal-page-size must be at least 1, got 0",
        "relay.console.asset-max-age|-1s|relay.console.asset-max-age must not be negative, got PT-1S",
        "relay.metrics.max-destinations|-1|relay.metrics.max-destinations must be at least 0, got -1",
        "relay.retention.period|12h|relay.retention.period (PT12H) must not be below its minimum (PT24H)",
        "relay.retention.interval|0s|relay.retention.interval must be longer than 0, got PT0S",
        "relay.retention.initial-delay|-1s|relay.retention.initial-delay must not be negative, got PT-1S",
        "relay.retention.batch-size|0|relay.retention.batch-size must be between 1 and 10000, got 0",
      })
  void aValueOutOfRangeStopsTheStartNamingTheKey(String key, String value, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RelaySettings.from(RelayConfig.load(ConfigFactory.parseMap(Map.of(key, value)))));
    assertEquals(message, e.getMessage());
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "relay.metrics.attempt-duration-buckets|[1s, 500ms]|relay.metrics.attempt-duration-buckets must be ascending, got [PT1S, PT0.5S]",
        "relay.metrics.ingest-duration-buckets|[0s]|relay.metrics.ingest-duration-buckets must be longer than 0, got PT0S",
        "relay.metrics.journal-write-buckets|[1ms, 1ms]|relay.metrics.journal-write-buckets must be ascending, got [PT0.001S, PT0.001S]",
        "relay.metrics.events-per-request-buckets|[0.5]|relay.metrics.events-per-request-buckets must be ascending numbers of at least 1, got [0.5]",
      })
  void aHistogramsBucketsMustBePositiveAndAscending(String key, String value, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RelaySettings.from(RelayConfig.load(ConfigFactory.parseString(key + " = " + value))));
    assertEquals(message, e.getMessage());
  }

  @Test
  void theRetentionPeriodIsThirtyDaysAndNeverShorterThanTheRetryWindow() {
    RelaySettings settings = RelaySettings.from(RelayConfig.load(ConfigFactory.empty()));
    assertEquals(java.time.Duration.ofDays(30), settings.retention().period());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RelaySettings.from(
                    RelayConfig.load(
                        ConfigFactory.parseMap(Map.of("relay.retention.period", "2d", "relay.delivery.retry.max-window", "3d")))));
    assertEquals("relay.retention.period (PT48H) must not be below relay.delivery.retry.max-window (PT72H)", e.getMessage());
  }

  @Test
  void aNodeGivenABadValueRefusesToStartNamingTheKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RelayNode.start(RelayConfig.load(ConfigFactory.parseMap(Map.of("relay.delivery.max-in-flight", 0)))));
    assertEquals("relay.delivery.max-in-flight must be at least 1, got 0", e.getMessage());
  }
}
