package dev.relay.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows down guessing of the admin token: after {@code maxFailures} failed checks from one client
 * address within {@code window} (counted from its first failure), that address is refused until
 * the window ends. Other addresses are not affected. At most {@code maxAddresses} addresses are
 * remembered, the least recently active forgotten first, so memory does not grow with traffic.
 */
public final class AuthFailureThrottle {

  private static final Logger log = LoggerFactory.getLogger(AuthFailureThrottle.class);

  /** Failures of one address in its current window, which ends at {@code windowEnd} (nanoTime). */
  private record Failures(int count, long windowEnd) {}

  private final int maxFailures;
  private final Duration window;
  private final Cache<String, Failures> failures;

  public AuthFailureThrottle(int maxFailures, Duration window, int maxAddresses) {
    if (maxFailures <= 0 || window.isNegative() || window.isZero() || maxAddresses <= 0) {
      throw new IllegalArgumentException("admin throttle settings must be positive");
    }
    this.maxFailures = maxFailures;
    this.window = window;
    // Expiry only frees memory; whether a window is over is decided by windowEnd.
    this.failures = Caffeine.newBuilder().maximumSize(maxAddresses).expireAfterWrite(window).build();
  }

  /** How long {@code address} is still refused; empty when it may try. */
  public Optional<Duration> blockedFor(String address) {
    Failures current = failures.getIfPresent(address);
    long now = System.nanoTime();
    if (current == null || current.count() < maxFailures || now - current.windowEnd() >= 0) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(current.windowEnd() - now));
  }

  /** How many addresses are remembered now (after pending evictions). */
  long trackedAddresses() {
    failures.cleanUp();
    return failures.estimatedSize();
  }

  /** Counts a failed check from {@code address}. */
  public void failed(String address) {
    long now = System.nanoTime();
    Failures counted =
        failures.asMap().compute(address, (key, current) ->
            current == null || now - current.windowEnd() >= 0
                ? new Failures(1, now + window.toNanos())
                : new Failures(current.count() + 1, current.windowEnd()));
    if (counted.count() == maxFailures) {
      log.warn("{} failed admin token checks from {} within {}; refusing it until the window ends",
          maxFailures, address, window);
    }
  }
}
