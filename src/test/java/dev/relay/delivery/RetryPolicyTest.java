package dev.relay.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private static final RetryPolicy PRODUCT =
      new RetryPolicy(Duration.ofMillis(660), 14, Duration.ofHours(3), 0.2, Duration.ofMinutes(10));
  private static final Instant QUEUED = Instant.parse("2026-11-01T10:00:00Z");

  @Test
  void delaysDoubleFromTheBaseDelay() {
    assertEquals(Duration.ofMillis(660), PRODUCT.backoff(1, 0));
    assertEquals(Duration.ofMillis(1320), PRODUCT.backoff(2, 0));
    assertEquals(Duration.ofMillis(660L * 8192), PRODUCT.backoff(14, 0));
  }

  @Test
  void jitterTakesOffAtMostItsShare() {
    assertEquals(Duration.ofMillis(528), PRODUCT.backoff(1, 1.0));
    Duration halfway = PRODUCT.backoff(3, 0.5);
    assertEquals(Duration.ofMillis((long) (2640 * 0.9)), halfway);
  }

  @Test
  void fourteenRetriesWithoutJitterSpanAboutThreeHours() {
    Instant at = QUEUED;
    int attempts = 1;
    Optional<Instant> next;
    while ((next = PRODUCT.nextAttempt(attempts, QUEUED, at, Optional.empty(), 0)).isPresent()) {
      at = next.get();
      attempts++;
    }
    assertEquals(15, attempts, "the first attempt and 14 retries");
    Duration window = Duration.between(QUEUED, at);
    // 0.66 s × (2^14 − 1) = 10,813 s, pulled in to the 3 h window for the last retry.
    assertEquals(Duration.ofHours(3), window);
  }

  @Test
  void withFullJitterTheRetriesStillFitTheWindow() {
    Instant at = QUEUED;
    int attempts = 1;
    Optional<Instant> next;
    while ((next = PRODUCT.nextAttempt(attempts, QUEUED, at, Optional.empty(), 0.999)).isPresent()) {
      at = next.get();
      attempts++;
    }
    assertEquals(15, attempts);
    // 0.66 s x (2^14 - 1) x (1 - 0.2 x 0.999) = 8,652.39 s: inside the 3 h window, nothing pulled in.
    Duration window = Duration.between(QUEUED, at);
    assertTrue(window.compareTo(Duration.ofMillis(8_652_386)) >= 0 && window.compareTo(Duration.ofMillis(8_652_387)) <= 0,
        "window " + window);
    assertTrue(window.compareTo(Duration.ofHours(3)) < 0);
  }

  @Test
  void noRetryAfterTheLastOne() {
    assertEquals(Optional.empty(), PRODUCT.nextAttempt(15, QUEUED, QUEUED.plusSeconds(60), Optional.empty(), 0));
  }

  @Test
  void noRetryOnceTheWindowHasPassed() {
    assertEquals(
        Optional.empty(),
        PRODUCT.nextAttempt(2, QUEUED, QUEUED.plus(Duration.ofHours(3)), Optional.empty(), 0));
  }

  @Test
  void retryAfterLongerThanTheBackoffIsHonoured() {
    Instant now = QUEUED.plusSeconds(1);
    assertEquals(
        Optional.of(now.plusSeconds(30)),
        PRODUCT.nextAttempt(1, QUEUED, now, Optional.of(Duration.ofSeconds(30)), 0));
  }

  @Test
  void retryAfterShorterThanTheBackoffDoesNotShortenIt() {
    Instant now = QUEUED.plusSeconds(1);
    assertEquals(
        Optional.of(now.plusMillis(1320)),
        PRODUCT.nextAttempt(2, QUEUED, now, Optional.of(Duration.ofMillis(1)), 0));
  }

  @Test
  void retryAfterIsCapped() {
    Instant now = QUEUED.plusSeconds(1);
    assertEquals(
        Optional.of(now.plus(Duration.ofMinutes(10))),
        PRODUCT.nextAttempt(1, QUEUED, now, Optional.of(Duration.ofDays(2)), 0));
  }

  @Test
  void jitterOutsideZeroToOneIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new RetryPolicy(Duration.ofMillis(1), 1, Duration.ofHours(1), 1.5, Duration.ofMinutes(1)));
  }
}
