package dev.relay.source;

import com.typesafe.config.Config;
import dev.relay.core.SettingRules;
import java.time.Duration;

/**
 * The relay.source-directory configuration, read once at start; a value out of range stops the node
 * with a message naming its key.
 *
 * @param writeTimeout how long a change waits for every node to confirm it
 * @param readTimeout how long a look-up in this node's copy may take
 * @param convergenceWait longest wait at start for every member to have seen this node Up
 * @param convergenceCheckInterval how often that is checked
 * @param loadRetryMinBackoff first pause before loading the sources again after a failure
 * @param loadRetryMaxBackoff longest such pause
 */
public record SourceDirectorySettings(
    Duration writeTimeout,
    Duration readTimeout,
    Duration convergenceWait,
    Duration convergenceCheckInterval,
    Duration loadRetryMinBackoff,
    Duration loadRetryMaxBackoff) {

  private static final String KEY = "relay.source-directory.";

  public SourceDirectorySettings {
    SettingRules.positive(KEY + "write-timeout", writeTimeout);
    SettingRules.positive(KEY + "read-timeout", readTimeout);
    SettingRules.notNegative(KEY + "convergence-wait", convergenceWait);
    SettingRules.positive(KEY + "convergence-check-interval", convergenceCheckInterval);
    SettingRules.positive(KEY + "load-retry-min-backoff", loadRetryMinBackoff);
    SettingRules.notBelow(KEY + "load-retry-max-backoff", loadRetryMaxBackoff, KEY + "load-retry-min-backoff", loadRetryMinBackoff);
  }

  public static SourceDirectorySettings from(Config config) {
    Config directory = config.getConfig("relay.source-directory");
    return new SourceDirectorySettings(
        directory.getDuration("write-timeout"),
        directory.getDuration("read-timeout"),
        directory.getDuration("convergence-wait"),
        directory.getDuration("convergence-check-interval"),
        directory.getDuration("load-retry-min-backoff"),
        directory.getDuration("load-retry-max-backoff"));
  }
}
