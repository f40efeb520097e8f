package dev.relay.readside;

import com.typesafe.config.Config;
import dev.relay.core.SettingRules;
import dev.relay.destination.DestinationTags;
import java.time.Duration;

/**
 * The relay.read-side configuration, read once at start by the node's wiring; a value out of range
 * stops the node with a message naming its key.
 */
public record ReadSideSettings(
    int groupMaxEvents,
    Duration groupMaxWait,
    Duration restartMinBackoff,
    Duration restartMaxBackoff,
    double restartRandomFactor,
    String queryDispatcher,
    Duration statementTimeout,
    Duration healthCheckInterval,
    Duration stallWarnAfter,
    Duration stallRestartAfter,
    int redrivePageSize,
    int redrivePendingLimit,
    Duration redrivePause) {

  private static final String KEY = "relay.read-side.";

  public ReadSideSettings {
    SettingRules.atLeast(KEY + "group-max-events", groupMaxEvents, 1);
    SettingRules.positive(KEY + "group-max-wait", groupMaxWait);
    SettingRules.positive(KEY + "restart-min-backoff", restartMinBackoff);
    SettingRules.notBelow(KEY + "restart-max-backoff", restartMaxBackoff, KEY + "restart-min-backoff", restartMinBackoff);
    SettingRules.between(KEY + "restart-random-factor", restartRandomFactor, 0, 1);
    SettingRules.positive(KEY + "statement-timeout", statementTimeout);
    SettingRules.positive(KEY + "health.check-interval", healthCheckInterval);
    SettingRules.positive(KEY + "health.stall-warn-after", stallWarnAfter);
    SettingRules.notBelow(KEY + "health.stall-restart-after", stallRestartAfter, KEY + "health.stall-warn-after", stallWarnAfter);
    SettingRules.between(KEY + "redrive.page-size", redrivePageSize, 1, ActionLogQuery.MAX_LIMIT);
    SettingRules.atLeast(KEY + "redrive.pending-limit", redrivePendingLimit, 1);
    SettingRules.positive(KEY + "redrive.pause", redrivePause);
  }

  /** Reads {@code relay.read-side} but its tags, which are {@code DestinationTags}. */
  public static ReadSideSettings from(Config config) {
    Config readSide = config.getConfig("relay.read-side");
    return new ReadSideSettings(
        readSide.getInt("group-max-events"),
        readSide.getDuration("group-max-wait"),
        readSide.getDuration("restart-min-backoff"),
        readSide.getDuration("restart-max-backoff"),
        readSide.getDouble("restart-random-factor"),
        "relay.read-side.query-dispatcher",
        readSide.getDuration("statement-timeout"),
        readSide.getDuration("health.check-interval"),
        readSide.getDuration("health.stall-warn-after"),
        readSide.getDuration("health.stall-restart-after"),
        readSide.getInt("redrive.page-size"),
        readSide.getInt("redrive.pending-limit"),
        readSide.getDuration("redrive.pause"));
  }
}
