package dev.relay.delivery;

import com.typesafe.config.Config;
import dev.relay.core.SettingRules;
import java.time.Duration;

/**
 * The relay.delivery configuration: how destinations are sent to and retried. Read once at start;
 * a value out of range stops the node with a message naming its key.
 */
public record DeliverySettings(
    int maxInFlight,
    int snapshotEvery,
    int dedupWindowSize,
    Duration dedupWindow,
    int responseExcerptBytes,
    int recordedRequestBytes,
    RetryPolicy retryPolicy,
    int maxResponseBytes,
    int maxTestsInFlight,
    AddressPolicy addressPolicy,
    Duration maxConnectTimeout,
    int backlogWindow,
    int maxPending,
    Probing probing) {

  /**
   * When a destination counts as down, and how often it is probed then: after {@code afterFailures}
   * requests in a row failed with a network error, a timeout or a 5xx, one request at a time, the
   * first {@code minInterval} after the last answer, each further one twice as long after, up to
   * {@code maxInterval}.
   */
  public record Probing(int afterFailures, Duration minInterval, Duration maxInterval) {
    public Probing {
      SettingRules.atLeast(KEY + "probe.after-failures", afterFailures, 1);
      SettingRules.positive(KEY + "probe.min-interval", minInterval);
      SettingRules.positive(KEY + "probe.max-interval", maxInterval);
      SettingRules.notBelow(KEY + "probe.max-interval", maxInterval, KEY + "probe.min-interval", minInterval);
    }
  }

  private static final String KEY = "relay.delivery.";

  public DeliverySettings {
    SettingRules.atLeast(KEY + "max-in-flight", maxInFlight, 1);
    SettingRules.atLeast(KEY + "snapshot-every", snapshotEvery, 1);
    SettingRules.atLeast(KEY + "dedup-window-size", dedupWindowSize, 1);
    SettingRules.positive(KEY + "dedup-window", dedupWindow);
    SettingRules.atLeast(KEY + "response-excerpt-bytes", responseExcerptBytes, 0);
    SettingRules.atLeast(KEY + "recorded-request-bytes", recordedRequestBytes, 0);
    SettingRules.notBelow(
        KEY + "max-response-bytes", maxResponseBytes, KEY + "response-excerpt-bytes", responseExcerptBytes);
    SettingRules.atLeast(KEY + "max-tests-in-flight", maxTestsInFlight, 1);
    SettingRules.positive(KEY + "max-connect-timeout", maxConnectTimeout);
    SettingRules.atLeast(KEY + "backlog-window", backlogWindow, 1);
    SettingRules.atLeast(KEY + "max-pending", maxPending, 1);
  }

  /** Reads {@code relay.delivery}. */
  public static DeliverySettings from(Config config) {
    Config delivery = config.getConfig("relay.delivery");
    Config retry = delivery.getConfig("retry");
    return new DeliverySettings(
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
        AddressPolicy.allowing(delivery.getString("allowed-networks")),
        delivery.getDuration("max-connect-timeout"),
        delivery.getInt("backlog-window"),
        delivery.getInt("max-pending"),
        new Probing(
            delivery.getInt("probe.after-failures"),
            delivery.getDuration("probe.min-interval"),
            delivery.getDuration("probe.max-interval")));
  }
}
