package dev.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.relay.delivery.DeliverySettings;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The delivery settings as read at start: defaults, allowed networks, and refusals naming the key. */
class RelaySettingsTest {

  private static DeliverySettings delivery(Map<String, Object> overrides) {
    return RelaySettings.from(RelayConfig.load(ConfigFactory.parseMap(overrides))).delivery();
  }

  @Test
  void byDefaultDestinationsMayNotReachLoopbackAndTheBoundsAreSet() throws Exception {
    DeliverySettings delivery = delivery(Map.of());
    assertEquals(Optional.of("loopback address"), delivery.addressPolicy().refusal(InetAddress.getByName("127.0.0.1")));
    assertEquals(65_536, delivery.maxResponseBytes());
    assertEquals(4, delivery.maxTestsInFlight());
  }

  @Test
  void allowedNetworksAreRead() throws Exception {
    DeliverySettings delivery = delivery(Map.of("relay.delivery.allowed-networks", "127.0.0.0/8, 10.1.0.0/16"));
    assertEquals(Optional.empty(), delivery.addressPolicy().refusal(InetAddress.getByName("127.0.0.1")));
    assertEquals(Optional.empty(), delivery.addressPolicy().refusal(InetAddress.getByName("10.1.2.3")));
    assertEquals(Optional.of("private address"), delivery.addressPolicy().refusal(InetAddress.getByName("10.2.0.1")));
  }

  @Test
  void aBadRangeStopsTheStartNamingTheKey() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> delivery(Map.of("relay.delivery.allowed-networks", "10.0.0.0/8,10.0.0.0/33")));
    assertTrue(e.getMessage().startsWith("relay.delivery.allowed-networks: '10.0.0.0/33' is not an IP address or CIDR range"), e.getMessage());
  }

  @Test
  void aResponseBoundBelowTheExcerptIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> delivery(Map.of("relay.delivery.max-response-bytes", 100)));
    assertTrue(e.getMessage().startsWith("relay.delivery.max-response-bytes (100) must not be below"), e.getMessage());
  }
}
