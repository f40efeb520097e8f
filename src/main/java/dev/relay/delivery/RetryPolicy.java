package dev.relay.delivery;

import dev.relay.core.SettingRules;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a failed attempt is tried again: exponential backoff from {@code baseDelay}, doubling per
 * retry, with up to {@code jitter} of each delay taken off at random so that many actions failing
 * together do not retry together. With the defaults (660 ms, 14 retries) the delays add up to about
 * three hours, the product's promise; no retry is scheduled past {@code maxWindow} from queueing, and
 * the last one is pulled in to the window's end rather than dropped.
 */
public record RetryPolicy(
    Duration baseDelay, int maxRetries, Duration maxWindow, double jitter, Duration maxRetryAfter) {

  /** Where the policy is configured (application.conf); refusals name the key. */
  public static final String KEY = "relay.delivery.retry.";

  public RetryPolicy {
    SettingRules.positive(KEY + "base-delay", baseDelay);
    SettingRules.atLeast(KEY + "max-retries", maxRetries, 0);
    SettingRules.positive(KEY + "max-window", maxWindow);
    SettingRules.between(KEY + "jitter", jitter, 0, 1);
    SettingRules.notNegative(KEY + "max-retry-after", maxRetryAfter);
  }

  /**
   * The time of the next attempt after {@code attemptsMade} attempts, the last of which failed in a
   * retryable way at {@code now}; empty when the action has used its retries or its window.
   *
   * @param retryAfter what the destination asked for (Retry-After), honoured up to maxRetryAfter
   * @param random a number in [0, 1) that chooses the jitter
   */
  public Optional<Instant> nextAttempt(
      int attemptsMade, Instant queuedAt, Instant now, Optional<Duration> retryAfter, double random) {
    int retriesMade = attemptsMade - 1;
    Instant windowEnd = queuedAt.plus(maxWindow);
    if (retriesMade >= maxRetries || !now.isBefore(windowEnd)) {
      return Optional.empty();
    }
    Duration delay = backoff(retriesMade + 1, random);
    Duration asked = retryAfter.map(d -> min(d, maxRetryAfter)).orElse(Duration.ZERO);
    Instant next = now.plus(max(delay, asked));
    return Optional.of(next.isAfter(windowEnd) ? windowEnd : next);
  }

  /** The delay before retry number {@code retry} (1-based). */
  public Duration backoff(int retry, double random) {
    double factor = Math.pow(2, retry - 1) * (1 - jitter * random);
    return Duration.ofNanos((long) (baseDelay.toNanos() * factor));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
