package dev.relay.persistence;

import com.typesafe.config.Config;
import dev.relay.core.SettingRules;
import java.time.Duration;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;

/**
 * How an event-sourced entity whose journal write or recovery failed (the database went away) comes
 * back: restarted after a pause growing from {@code min} to {@code max}, recovering from the
 * journal, instead of stopping for good. Read once at start from {@code relay.journal-failure-backoff}.
 */
public record JournalFailureBackoff(Duration min, Duration max, double randomFactor) {

  private static final String KEY = "relay.journal-failure-backoff.";

  public JournalFailureBackoff {
    SettingRules.positive(KEY + "min", min);
    SettingRules.notBelow(KEY + "max", max, KEY + "min", min);
    SettingRules.between(KEY + "random-factor", randomFactor, 0, 1);
  }

  public static JournalFailureBackoff from(Config config) {
    Config backoff = config.getConfig("relay.journal-failure-backoff");
    return new JournalFailureBackoff(
        backoff.getDuration("min"), backoff.getDuration("max"), backoff.getDouble("random-factor"));
  }

  /** The strategy for {@code onPersistFailure}. */
  public BackoffSupervisorStrategy strategy() {
    return SupervisorStrategy.restartWithBackoff(min, max, randomFactor);
  }
}
