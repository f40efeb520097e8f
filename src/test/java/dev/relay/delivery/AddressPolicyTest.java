package dev.relay.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which addresses destinations may connect to, by default and with allowed networks. */
class AddressPolicyTest {

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal); // a literal: no DNS look-up
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void everyInternalRangeIsRefusedByDefaultAtItsEdges() {
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("127.0.0.1", "loopback address");
    refused.put("127.255.255.254", "loopback address");
    refused.put("10.0.0.0", "private address");
    refused.put("10.255.255.255", "private address");
    refused.put("172.16.0.1", "private address");
    refused.put("172.31.255.255", "private address");
    refused.put("192.168.0.1", "private address");
    refused.put("192.168.255.255", "private address");
    refused.put("100.64.0.1", "private address");
    refused.put("100.127.255.255", "private address");
    refused.put("169.254.169.254", "link-local address");
    refused.put("169.254.0.1", "link-local address");
    refused.put("224.0.0.1", "multicast address");
    refused.put("239.255.255.255", "multicast address");
    refused.put("255.255.255.255", "broadcast address");
    refused.put("0.0.0.0", "unspecified address");
    refused.put("0.1.2.3", "unspecified address");
    refused.put("::1", "loopback address");
    refused.put("::", "unspecified address");
    refused.put("fc00::1", "private address");
    refused.put("fd12:3456:789a::1", "private address");
    refused.put("fec0::1", "private address");
    refused.put("fe80::1", "link-local address");
    refused.put("febf:ffff::1", "link-local address");
    refused.put("ff02::1", "multicast address");
    AddressPolicy policy = AddressPolicy.strict();
    refused.forEach((address, kind) -> assertEquals(Optional.of(kind), policy.refusal(ip(address)), address));
  }

  @Test
  void publicAddressesJustOutsideTheRangesAreAllowed() {
    AddressPolicy policy = AddressPolicy.strict();
    for (String address :
        new String[] {"8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0",
            "192.167.255.255", "192.169.0.0", "100.63.255.255", "100.128.0.0", "169.253.255.255",
            "223.255.255.255", "2606:4700:4700::1111", "2001:db8::1", "fbff:ffff::1", "fe7f::1"}) {
      assertEquals(Optional.empty(), policy.refusal(ip(address)), address);
    }
  }

  @Test
  void anIpv6AddressCarryingAnIpv4OneIsJudgedByIt() throws Exception {
    AddressPolicy policy = AddressPolicy.strict();
    // The JDK turns a mapped literal into the IPv4 address; a resolver may hand over the raw bytes.
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = 127;
    mapped[15] = 1;
    InetAddress rawMapped = java.net.Inet6Address.getByAddress(null, mapped, -1);
    assertEquals(Optional.of("loopback address"), policy.refusal(ip("::ffff:127.0.0.1")));
    assertTrue(policy.refusal(rawMapped).orElseThrow().startsWith("loopback address"), policy.refusal(rawMapped).toString());
    assertEquals(Optional.of("private address carried in an IPv6 address"), policy.refusal(ip("::10.1.2.3")));
    assertEquals(Optional.of("link-local address carried in an IPv6 address"), policy.refusal(ip("64:ff9b::169.254.169.254")));
    assertEquals(Optional.empty(), policy.refusal(ip("64:ff9b::8.8.8.8")));
    assertEquals(Optional.empty(), policy.refusal(ip("::ffff:8.8.8.8")));
  }

  @Test
  void allowedNetworksOpenExactlyTheirRanges() {
    AddressPolicy policy = AddressPolicy.allowing(" 127.0.0.1/32, 10.20.0.0/16 ,fd00:1::/32,192.168.1.7");
    assertEquals(Optional.empty(), policy.refusal(ip("127.0.0.1")));
    assertEquals(Optional.of("loopback address"), policy.refusal(ip("127.0.0.2")));
    assertEquals(Optional.empty(), policy.refusal(ip("10.20.255.255")));
    assertEquals(Optional.of("private address"), policy.refusal(ip("10.21.0.0")));
    assertEquals(Optional.empty(), policy.refusal(ip("fd00:1:ffff::1")));
    assertEquals(Optional.of("private address"), policy.refusal(ip("fd00:2::1")));
    assertEquals(Optional.empty(), policy.refusal(ip("192.168.1.7")));
    assertEquals(Optional.of("private address"), policy.refusal(ip("192.168.1.8")));
    assertEquals(Optional.empty(), policy.refusal(ip("::ffff:10.20.1.1")), "mapped forms of an allowed address too");
    assertEquals(Optional.of("loopback address"), policy.refusal(ip("::1")), "127.0.0.1 does not allow ::1");
  }

  @Test
  void aRangeWithHostBitsSetStandsForItsBlock() {
    AddressPolicy policy = AddressPolicy.allowing("127.0.0.1/8");
    assertEquals(Optional.empty(), policy.refusal(ip("127.9.9.9")));
  }

  @Test
  void anEmptyListAllowsNothingInternal() {
    assertEquals(Optional.of("loopback address"), AddressPolicy.allowing("").refusal(ip("127.0.0.1")));
    assertEquals(Optional.of("loopback address"), AddressPolicy.allowing(" , ").refusal(ip("127.0.0.1")));
  }

  @Test
  void aBadRangeIsRefusedNamingTheKeyAndTheEntry() {
    for (String bad : new String[] {"10.0.0.0/33", "not-a-network", "10.0.0.0/8,300.1.1.1", "fd00::/129", "*", "10.0.0.*", "10.0.0.1-5", "127.1"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AddressPolicy.allowing(bad), bad);
      assertTrue(e.getMessage().startsWith("relay.delivery.allowed-networks: '"), e.getMessage());
    }
  }

  @Test
  void theFirstPermittedAddressOfAHostIsChosenAndNoneMeansRefused() {
    AddressPolicy policy = AddressPolicy.strict();
    InetAddress[] mixed = {ip("10.0.0.5"), ip("8.8.8.8")};
    assertSame(mixed[1], policy.firstPermitted("mixed.test", mixed));
    AddressRefused refused =
        assertThrows(AddressRefused.class, () -> policy.firstPermitted("inside.test", new InetAddress[] {ip("10.0.0.5"), ip("127.0.0.1")}));
    assertEquals("refused to connect to 10.0.0.5: private address; see relay.delivery.allowed-networks", refused.getMessage());
  }

  @Test
  void literalHostsOfUrlsAreJudgedAndNamesAreLeftForResolution() {
    AddressPolicy policy = AddressPolicy.strict();
    assertEquals(
        Optional.of("refused to connect to 127.0.0.1: loopback address; see relay.delivery.allowed-networks"),
        policy.literalRefusal("127.0.0.1"));
    assertTrue(policy.literalRefusal("[::1]").orElseThrow().contains("loopback address"));
    assertTrue(policy.literalRefusal("[::ffff:169.254.169.254]").orElseThrow().contains("link-local"));
    assertTrue(policy.literalRefusal("127.1").orElseThrow().contains("loopback"), "the shorthand the resolver accepts");
    assertTrue(policy.literalRefusal("2130706433").orElseThrow().contains("loopback"), "127.0.0.1 as one number");
    assertEquals(Optional.empty(), policy.literalRefusal("8.8.8.8"));
    assertEquals(Optional.empty(), policy.literalRefusal("localhost"), "a name is checked when resolved");
    assertEquals(Optional.empty(), policy.literalRefusal("hooks.example.com"));
    assertEquals(Optional.empty(), AddressPolicy.allowing("127.0.0.0/8").literalRefusal("127.0.0.1"));
  }
}
