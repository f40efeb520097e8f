package dev.relay.persistence;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.SupervisorStrategy;

/**
 * How an event-sourced entity whose journal write or recovery failed (the database went away) comes
 * back: restarted after a growing pause, recovering from the journal, instead of stopping for good.
 * Read once per node from {@code relay.journal-failure-backoff}.
 */
public final class JournalFailureBackoff implements Extension {

  private final BackoffSupervisorStrategy strategy;

  private JournalFailureBackoff(Config config) {
    Config backoff = config.getConfig("relay.journal-failure-backoff");
    Duration min = backoff.getDuration("min");
    Duration max = backoff.getDuration("max");
    double random = backoff.getDouble("random-factor");
    if (min.isNegative() || min.isZero() || max.compareTo(min) < 0 || random < 0) {
      throw new IllegalArgumentException(
          "relay.journal-failure-backoff: need 0 < min <= max and random-factor >= 0, got " + min + ", " + max + ", " + random);
    }
    this.strategy = SupervisorStrategy.restartWithBackoff(min, max, random);
  }

  private static final ExtensionId<JournalFailureBackoff> ID =
      new ExtensionId<>() {
        @Override
        public JournalFailureBackoff createExtension(ActorSystem<?> system) {
          return new JournalFailureBackoff(system.settings().config());
        }
      };

  /** The strategy for {@code onPersistFailure} of every entity on this node. */
  public static BackoffSupervisorStrategy of(ActorSystem<?> system) {
    return ID.apply(system).strategy;
  }
}
