package dev.relay.readside;

import com.typesafe.config.Config;
import java.time.Duration;

/** The relay.read-side configuration, read once at start. */
record ReadSideSettings(
    int groupMaxEvents,
    Duration groupMaxWait,
    Duration restartMinBackoff,
    Duration restartMaxBackoff,
    String queryDispatcher,
    Duration statementTimeout,
    Duration healthCheckInterval,
    Duration stallWarnAfter,
    Duration stallRestartAfter) {

  static ReadSideSettings from(Config config) {
    Config readSide = config.getConfig("relay.read-side");
    return new ReadSideSettings(
        readSide.getInt("group-max-events"),
        readSide.getDuration("group-max-wait"),
        readSide.getDuration("restart-min-backoff"),
        readSide.getDuration("restart-max-backoff"),
        "relay.read-side.query-dispatcher",
        readSide.getDuration("statement-timeout"),
        readSide.getDuration("health.check-interval"),
        readSide.getDuration("health.stall-warn-after"),
        readSide.getDuration("health.stall-restart-after"));
  }
}
