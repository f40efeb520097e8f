package dev.relay.destination;

import dev.relay.delivery.DeliverySettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a destination is down, by the answers to its requests, and when it may be probed. After
 * {@code afterFailures} requests in a row fail with a network error, a timeout or a 5xx, only one
 * request goes at a time — a probe, the earliest due actions as an attempt of theirs — {@code
 * minInterval} after the last answer, each failed probe doubling the pause up to {@code maxInterval};
 * any other answer ends it. The rest of the backlog waits meanwhile without using its retries. Kept
 * in memory: a restarted entity starts sending at full rate and finds out again.
 */
final class Probing {

  /** What an answer changed, for the entity's log. */
  enum Change { NONE, STARTED, ENDED }

  private final DeliverySettings.Probing settings;
  private int failuresInARow;
  private boolean active;
  private boolean probeInFlight;
  private Duration pause;
  private Instant nextProbeAt;

  Probing(DeliverySettings.Probing settings) {
    this.settings = settings;
  }

  boolean active() {
    return active;
  }

  int failuresInARow() {
    return failuresInARow;
  }

  /** How many requests may start now, given those in flight and the configured most. */
  int capacity(int inFlight, int maxInFlight, Instant now) {
    if (!active) {
      return Math.max(0, maxInFlight - inFlight);
    }
    return inFlight == 0 && !now.isBefore(nextProbeAt) ? 1 : 0;
  }

  /** When the next probe may go, while probing and nothing is in flight. */
  Optional<Instant> nextProbeAt() {
    return active ? Optional.of(nextProbeAt) : Optional.empty();
  }

  /** A request starts. */
  void started() {
    if (active) {
      probeInFlight = true;
    }
  }

  /** A request came back; {@code unavailable}: a network error, a timeout or a 5xx. */
  Change answered(boolean unavailable, Instant now) {
    if (!unavailable) {
      failuresInARow = 0;
      probeInFlight = false;
      if (active) {
        active = false;
        return Change.ENDED;
      }
      return Change.NONE;
    }
    failuresInARow++;
    if (active) {
      if (probeInFlight) {
        probeInFlight = false;
        pause = pause.multipliedBy(2).compareTo(settings.maxInterval()) > 0 ? settings.maxInterval() : pause.multipliedBy(2);
      }
      nextProbeAt = now.plus(pause);
      return Change.NONE;
    }
    if (failuresInARow >= settings.afterFailures()) {
      active = true;
      pause = settings.minInterval();
      nextProbeAt = now.plus(pause);
      return Change.STARTED;
    }
    return Change.NONE;
  }

  /** The entity restarted: what it knew of the destination is gone with what it had in flight. */
  void restarted() {
    failuresInARow = 0;
    active = false;
    probeInFlight = false;
  }
}
