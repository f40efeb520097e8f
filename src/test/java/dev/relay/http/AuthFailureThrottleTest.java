package dev.relay.http;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthFailureThrottleTest {

  @Test
  void anAddressIsRefusedAfterMaxFailuresAndOthersAreNot() {
    AuthFailureThrottle throttle = new AuthFailureThrottle(3, Duration.ofMinutes(1), 100);
    for (int i = 0; i < 3; i++) {
      assertEquals(Optional.empty(), throttle.blockedFor("10.0.0.1"));
      throttle.failed("10.0.0.1");
    }
    Duration blocked = throttle.blockedFor("10.0.0.1").orElseThrow();
    assertTrue(blocked.compareTo(Duration.ZERO) > 0 && blocked.compareTo(Duration.ofMinutes(1)) <= 0, blocked.toString());
    throttle.failed("10.0.0.2");
    assertEquals(Optional.empty(), throttle.blockedFor("10.0.0.2"));
  }

  @Test
  void theRefusalEndsWithTheWindow() {
    AuthFailureThrottle throttle = new AuthFailureThrottle(1, Duration.ofMillis(200), 100);
    throttle.failed("10.0.0.1");
    assertTrue(throttle.blockedFor("10.0.0.1").isPresent());
    await(Duration.ofSeconds(5), "the window ends", () -> throttle.blockedFor("10.0.0.1").isEmpty());
    throttle.failed("10.0.0.1"); // a new window, counted afresh
    assertTrue(throttle.blockedFor("10.0.0.1").isPresent());
  }

  @Test
  void memoryIsBoundedByConfigurationNotByTheAddressesSeen() {
    AuthFailureThrottle throttle = new AuthFailureThrottle(3, Duration.ofMinutes(1), 100);
    for (int i = 0; i < 100_000; i++) {
      throttle.failed("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
    }
    assertTrue(throttle.trackedAddresses() <= 100, "tracked " + throttle.trackedAddresses());
  }
}
