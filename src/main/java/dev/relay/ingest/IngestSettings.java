package dev.relay.ingest;

import com.typesafe.config.Config;
import dev.relay.core.SettingRules;
import dev.relay.event.EventLimits;
import java.time.Duration;

/**
 * The relay.ingest.* configuration, read once at start; a value out of range stops the node with a
 * message naming its key.
 *
 * @param batchRetries how many times a group's failed hand-over to its destination is repeated
 *     (Pekko's {@code Patterns.retry} attempts: the first try and this many more), each try waiting
 *     {@code timeout / batchRetries}
 * @param batchRetryDelay pause before each repeat
 */
public record IngestSettings(
    EventLimits limits,
    Duration timeout,
    int batchMaxEvents,
    int batchParallelism,
    int batchQueueSize,
    int batchRetries,
    Duration batchRetryDelay,
    Duration batchIdleTimeout) {

  private static final String KEY = "relay.ingest.";

  public IngestSettings {
    SettingRules.positive(KEY + "timeout", timeout);
    SettingRules.atLeast(KEY + "batch.max-events", batchMaxEvents, 1);
    SettingRules.atLeast(KEY + "batch.parallelism", batchParallelism, 1);
    SettingRules.atLeast(KEY + "batch.queue-size", batchQueueSize, 1);
    // At least 1: each try waits the timeout divided by it.
    SettingRules.atLeast(KEY + "batch.retries", batchRetries, 1);
    SettingRules.notNegative(KEY + "batch.retry-delay", batchRetryDelay);
    SettingRules.positive(KEY + "batch.idle-timeout", batchIdleTimeout);
  }

  public static IngestSettings from(Config config) {
    Config ingest = config.getConfig("relay.ingest");
    return new IngestSettings(
        new EventLimits(
            ingest.getInt("max-event-bytes"),
            ingest.getInt("max-request-bytes"),
            ingest.getInt("max-nesting-depth")),
        ingest.getDuration("timeout"),
        ingest.getInt("batch.max-events"),
        ingest.getInt("batch.parallelism"),
        ingest.getInt("batch.queue-size"),
        ingest.getInt("batch.retries"),
        ingest.getDuration("batch.retry-delay"),
        ingest.getDuration("batch.idle-timeout"));
  }
}
