package dev.relay.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.catalog.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class SendRateTest {

  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  @Test
  void withoutALimitOrA429NothingIsHeldBack() {
    SendRate rate = new SendRate();
    for (int i = 0; i < 1000; i++) {
      assertTrue(rate.tryAcquire(T0, 100));
    }
    assertFalse(rate.throttled());
  }

  @Test
  void aRequestLimitPacesRequestsEvenlyWithoutABurst() {
    SendRate rate = new SendRate();
    rate.configure(RateLimit.requestsPerSecond(2));
    assertTrue(rate.tryAcquire(T0, 1));
    assertFalse(rate.tryAcquire(T0, 1));
    assertEquals(Duration.ofMillis(500), rate.untilAvailable(T0, 1));
    assertFalse(rate.tryAcquire(T0.plusMillis(400), 1));
    assertTrue(rate.tryAcquire(T0.plusMillis(500), 1));
    // Idle for long, it still sends one at a time.
    assertTrue(rate.tryAcquire(T0.plusSeconds(10), 1));
    assertFalse(rate.tryAcquire(T0.plusSeconds(10), 1));
  }

  @Test
  void anEventLimitCountsTheEventsOfEachBatch() {
    SendRate rate = new SendRate();
    rate.configure(new RateLimit(OptionalDouble.empty(), OptionalDouble.of(10)));
    assertTrue(rate.tryAcquire(T0, 5));
    assertTrue(rate.tryAcquire(T0, 5));
    assertFalse(rate.tryAcquire(T0, 5));
    assertEquals(Duration.ofMillis(500), rate.untilAvailable(T0, 5));
    // A batch larger than a second's worth goes once the bucket is full.
    assertTrue(rate.tryAcquire(T0.plusSeconds(1), 50));
  }

  @Test
  void a429HalvesTheRateBeingSentOnceASecondAndSuccessRaisesItByAboutOneRequestPerSecondEachSecond() {
    SendRate rate = new SendRate();
    for (int i = 0; i < 10; i++) {
      assertTrue(rate.tryAcquire(T0.plusMillis(i * 50), 1));
    }
    rate.tooManyRequests(T0.plusMillis(600));
    assertTrue(rate.throttled());
    assertEquals(5, rate.requestsPerSecond());
    rate.tooManyRequests(T0.plusMillis(700)); // the same burst of answers
    assertEquals(5, rate.requestsPerSecond());

    for (int i = 0; i < 5; i++) { // a second's worth of successes at 5 per second
      rate.accepted(T0.plusSeconds(1));
    }
    assertEquals(6, rate.requestsPerSecond(), 0.1);

    rate.tooManyRequests(T0.plusSeconds(2));
    assertEquals(3, rate.requestsPerSecond(), 0.1);
    rate.accepted(T0.plusSeconds(2).plus(SendRate.QUIET));
    assertFalse(rate.throttled(), "a minute without a 429 lets go");
  }

  @Test
  void theAdaptiveRateHasAFloor() {
    SendRate rate = new SendRate();
    for (int i = 0; i < 20; i++) {
      rate.tooManyRequests(T0.plusSeconds(i));
    }
    assertEquals(SendRate.FLOOR, rate.requestsPerSecond());
  }

  @Test
  void theAdaptiveRateStaysUnderTheConfiguredOneAndGivesWayToItWhenRaisedPastIt() {
    SendRate rate = new SendRate();
    rate.configure(RateLimit.requestsPerSecond(4));
    rate.tooManyRequests(T0);
    assertEquals(2, rate.requestsPerSecond());
    for (int i = 0; i < 100; i++) {
      rate.accepted(T0.plusSeconds(1));
    }
    assertFalse(rate.throttled());
    assertEquals(4, rate.requestsPerSecond());
  }
}
