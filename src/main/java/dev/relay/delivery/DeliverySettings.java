package dev.relay.delivery;

import com.typesafe.config.Config;
import java.time.Duration;

/** The relay.delivery configuration: how destinations are sent to and retried. */
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
    AddressPolicy addressPolicy) {

  public DeliverySettings {
    if (maxResponseBytes < responseExcerptBytes) {
      throw new IllegalArgumentException(
          "relay.delivery.max-response-bytes (" + maxResponseBytes + ") must not be below"
              + " relay.delivery.response-excerpt-bytes (" + responseExcerptBytes + ")");
    }
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
        AddressPolicy.allowing(delivery.getString("allowed-networks")));
  }
}
