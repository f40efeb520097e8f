package dev.relay.destination;

import dev.relay.catalog.RateLimit;
import java.time.Duration;
import java.time.Instant;

/**
 * How fast a destination is sent to now: its configured {@link RateLimit}, and under it an adaptive
 * limit that each 429 halves (at most once a second, so a burst of concurrent 429s counts once) and
 * that successes raise again by about one request per second every second, dropped after a minute
 * without a 429. A steady stream above what the destination takes so becomes a steady accepted
 * stream instead of a retry storm. Requests are paced evenly (no burst: a vendor counting requests
 * per second sees no more than the limit in any second); events get one second's worth of burst, a
 * batch at a time. Used from the entity's thread only.
 */
final class SendRate {

  /** The adaptive limit never goes below this, in requests per second. */
  static final double FLOOR = 0.5;
  private static final Duration DECREASE_INTERVAL = Duration.ofSeconds(1);
  /** A minute without a 429 and the adaptive limit is dropped. */
  static final Duration QUIET = Duration.ofMinutes(1);

  private RateLimit configured = RateLimit.NONE;
  private double adaptive = Double.POSITIVE_INFINITY;
  private Instant lastDecrease = Instant.MIN;
  private double requestTokens;
  private double eventTokens;
  private Instant refilledAt;
  /** Requests started in the current second and the one before: the rate a 429 halves. */
  private Instant windowStart = Instant.MIN;
  private int thisWindow;
  private int lastWindow;

  void configure(RateLimit limit) {
    if (!limit.equals(configured)) {
      configured = limit;
      refilledAt = null; // a new limit starts with a full bucket
    }
  }

  /** Requests per second allowed now; infinite when nothing limits them. */
  double requestsPerSecond() {
    return Math.min(configured.requestsPerSecond().orElse(Double.POSITIVE_INFINITY), adaptive);
  }

  private double eventsPerSecond() {
    return configured.eventsPerSecond().orElse(Double.POSITIVE_INFINITY);
  }

  /** True when nothing below the configured limit holds sending back. */
  boolean throttled() {
    return adaptive != Double.POSITIVE_INFINITY;
  }

  /** Takes what a request of {@code events} needs, when it may be sent now. */
  boolean tryAcquire(Instant now, int events) {
    refill(now);
    double rps = requestsPerSecond();
    double eps = eventsPerSecond();
    boolean requestOk = rps == Double.POSITIVE_INFINITY || requestTokens >= 1;
    // A batch larger than a second's worth goes once the bucket is full.
    boolean eventsOk = eps == Double.POSITIVE_INFINITY || eventTokens >= Math.min(events, burst(eps));
    if (!requestOk || !eventsOk) {
      return false;
    }
    if (rps != Double.POSITIVE_INFINITY) {
      requestTokens -= 1;
    }
    if (eps != Double.POSITIVE_INFINITY) {
      eventTokens -= Math.min(events, burst(eps));
    }
    count(now);
    return true;
  }

  /** How long until a request of {@code events} may be sent. */
  Duration untilAvailable(Instant now, int events) {
    refill(now);
    double wait = 0;
    double rps = requestsPerSecond();
    if (rps != Double.POSITIVE_INFINITY && requestTokens < 1) {
      wait = Math.max(wait, (1 - requestTokens) / rps);
    }
    double eps = eventsPerSecond();
    if (eps != Double.POSITIVE_INFINITY) {
      double needed = Math.min(events, burst(eps));
      if (eventTokens < needed) {
        wait = Math.max(wait, (needed - eventTokens) / eps);
      }
    }
    return Duration.ofNanos(Math.max(1_000_000L, (long) Math.ceil(wait * 1e9)));
  }

  /** The destination answered 429: halve the rate it is sent to (once a second at most). */
  void tooManyRequests(Instant now) {
    if (lastDecrease != Instant.MIN && Duration.between(lastDecrease, now).compareTo(DECREASE_INTERVAL) < 0) {
      return;
    }
    rollWindow(now);
    // The rate being sent: the adaptive limit, else what went out in the last second or so (else
    // the configured limit).
    int counted = Math.max(lastWindow, thisWindow);
    double limit = configured.requestsPerSecond().orElse(Double.POSITIVE_INFINITY);
    double sending = adaptive != Double.POSITIVE_INFINITY ? adaptive : Math.min(counted > 0 ? counted : limit, limit);
    adaptive = Math.max(FLOOR, sending == Double.POSITIVE_INFINITY ? FLOOR : sending / 2);
    lastDecrease = now;
    requestTokens = Math.min(requestTokens, 1);
  }

  /** A request was accepted: raise the adaptive limit by about one request per second per second. */
  void accepted(Instant now) {
    if (adaptive != Double.POSITIVE_INFINITY) {
      adaptive += 1 / adaptive;
      if (adaptive >= configured.requestsPerSecond().orElse(Double.POSITIVE_INFINITY)
          || Duration.between(lastDecrease, now).compareTo(QUIET) >= 0) {
        adaptive = Double.POSITIVE_INFINITY;
      }
    }
  }

  private void refill(Instant now) {
    if (refilledAt == null) {
      refilledAt = now;
      requestTokens = 1;
      eventTokens = burst(eventsPerSecond());
      return;
    }
    double seconds = Math.max(0, Duration.between(refilledAt, now).toNanos() / 1e9);
    refilledAt = now;
    double rps = requestsPerSecond();
    if (rps != Double.POSITIVE_INFINITY) {
      requestTokens = Math.min(1, requestTokens + seconds * rps);
    }
    double eps = eventsPerSecond();
    if (eps != Double.POSITIVE_INFINITY) {
      eventTokens = Math.min(burst(eps), eventTokens + seconds * eps);
    }
  }

  private static double burst(double perSecond) {
    return perSecond == Double.POSITIVE_INFINITY ? 0 : Math.max(1, perSecond);
  }

  private void count(Instant now) {
    rollWindow(now);
    thisWindow++;
  }

  private void rollWindow(Instant now) {
    if (windowStart == Instant.MIN || Duration.between(windowStart, now).compareTo(Duration.ofSeconds(2)) >= 0) {
      windowStart = now;
      lastWindow = 0;
      thisWindow = 0;
    } else if (Duration.between(windowStart, now).compareTo(Duration.ofSeconds(1)) >= 0) {
      windowStart = windowStart.plusSeconds(1);
      lastWindow = thisWindow;
      thisWindow = 0;
    }
  }
}
