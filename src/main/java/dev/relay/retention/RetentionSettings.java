package dev.relay.retention;

import com.typesafe.config.Config;
import dev.relay.core.SettingRules;
import java.time.Duration;

/**
 * The relay.retention configuration, read once at start; a value out of range stops the node naming
 * its key.
 *
 * @param period the audit horizon: what is older is deleted
 * @param interval how often the sweep runs (on one node of the cluster)
 * @param initialDelay how long after the sweeper starts before its first sweep
 * @param batchSize rows one delete transaction takes
 */
public record RetentionSettings(Duration period, Duration interval, Duration initialDelay, int batchSize) {

  private static final String KEY = "relay.retention.";

  /**
   * The shortest horizon allowed. An action is pending at most relay.delivery.retry.max-window (3 h)
   * after it was queued, and the journal events and read-side rows of pending work must outlive it;
   * a day also leaves a read side that fell behind (or a rebuild in progress) time to catch up before
   * what it has still to read goes.
   */
  public static final Duration MIN_PERIOD = Duration.ofDays(1);

  public RetentionSettings {
    SettingRules.notBelow(KEY + "period", period, "its minimum", MIN_PERIOD);
    SettingRules.positive(KEY + "interval", interval);
    SettingRules.notNegative(KEY + "initial-delay", initialDelay);
    SettingRules.between(KEY + "batch-size", batchSize, 1, 10_000);
  }

  public static RetentionSettings from(Config config) {
    Config retention = config.getConfig("relay.retention");
    return new RetentionSettings(
        retention.getDuration("period"),
        retention.getDuration("interval"),
        retention.getDuration("initial-delay"),
        retention.getInt("batch-size"));
  }
}
