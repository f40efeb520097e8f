package dev.relay.delivery;

import inet.ipaddr.AddressStringException;
import inet.ipaddr.AddressStringParameters.RangeParameters;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses destinations may connect to. By default none inside the node's own networks:
 * loopback, private (RFC 1918, shared address space RFC 6598, unique local fc00::/7, site-local
 * fec0::/10), link-local (169.254.0.0/16 with cloud metadata at 169.254.169.254, fe80::/10),
 * multicast, broadcast and unspecified addresses. An IPv6 address carrying an IPv4 one (IPv4-mapped
 * {@code ::ffff:a.b.c.d}, IPv4-compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d}) is
 * judged by the IPv4 address it reaches. {@value #KEY} opens ranges deliberately.
 */
public final class AddressPolicy {

  /** The configuration key (env {@code RELAY_ALLOWED_NETWORKS}) of the allowed ranges. */
  public static final String KEY = "relay.delivery.allowed-networks";

  private record Range(IPAddress block, String kind) {}

  private static final List<Range> REFUSED =
      List.of(
          range("0.0.0.0/8", "unspecified address"), // "this network": 0.0.0.0 reaches the node itself
          range("127.0.0.0/8", "loopback address"),
          range("10.0.0.0/8", "private address"),
          range("172.16.0.0/12", "private address"),
          range("192.168.0.0/16", "private address"),
          range("100.64.0.0/10", "private address"), // carrier-grade NAT; some clouds' metadata lives here
          range("169.254.0.0/16", "link-local address"),
          range("224.0.0.0/4", "multicast address"),
          range("255.255.255.255/32", "broadcast address"),
          range("::/128", "unspecified address"),
          range("::1/128", "loopback address"),
          range("fc00::/7", "private address"),
          range("fec0::/10", "private address"),
          range("fe80::/10", "link-local address"),
          range("ff00::/8", "multicast address"));

  /** IPv6 ranges whose last 32 bits are an IPv4 address the packet ends up at. */
  private static final List<IPAddress> CARRYING_IPV4 =
      List.of(block("::ffff:0:0/96"), block("::/96"), block("64:ff9b::/96"));

  /** Allowed ranges are written plainly: no wildcards, ranges, masks or inet_aton shorthands. */
  private static final IPAddressStringParameters CIDR =
      new IPAddressStringParameters.Builder()
          .allowEmpty(false)
          .allowAll(false)
          .allowSingleSegment(false)
          .allowMask(false)
          .allowPrefixOnly(false)
          .allowWildcardedSeparator(false)
          .setRangeOptions(RangeParameters.NO_RANGE)
          .allow_inet_aton(false)
          .toParams();

  private final List<IPAddress> allowed;

  private AddressPolicy(List<IPAddress> allowed) {
    this.allowed = List.copyOf(allowed);
  }

  /** Refuses every range above. */
  public static AddressPolicy strict() {
    return new AddressPolicy(List.of());
  }

  /**
   * The policy with {@code networks} allowed: comma-separated CIDR ranges ({@code 10.1.0.0/16},
   * {@code fd00::/8}) or single addresses. A range with host bits set stands for its whole block.
   *
   * @throws IllegalArgumentException naming {@value #KEY} and the entry when one is not a range
   */
  public static AddressPolicy allowing(String networks) {
    List<IPAddress> ranges = new ArrayList<>();
    for (String entry : networks.split(",")) {
      String cidr = entry.strip();
      if (cidr.isEmpty()) {
        continue;
      }
      try {
        IPAddress address = new IPAddressString(cidr, CIDR).toAddress();
        if (address == null) {
          throw new AddressStringException("empty");
        }
        ranges.add(address.isPrefixed() ? address.toPrefixBlock() : address);
      } catch (AddressStringException | RuntimeException e) {
        // No cause attached: the message is what an operator sees when the node refuses to start.
        throw new IllegalArgumentException(
            KEY + ": '" + cidr + "' is not an IP address or CIDR range (like 10.0.0.0/8 or fd00::/8): " + e.getMessage());
      }
    }
    return new AddressPolicy(ranges);
  }

  /** Why a destination may not connect to {@code address} (e.g. "private address"); empty if it may. */
  public Optional<String> refusal(InetAddress address) {
    IPAddress ip = of(address);
    Optional<IPAddress> carried = carriedIpv4(ip);
    if (isAllowed(ip) || carried.map(this::isAllowed).orElse(false)) {
      return Optional.empty();
    }
    return carried
        .flatMap(AddressPolicy::kind)
        .map(kind -> kind + " carried in an IPv6 address")
        .or(() -> kind(ip));
  }

  /**
   * The first of {@code addresses} (as a host name resolved) that may be connected to.
   *
   * @throws AddressRefused naming the first address and why, when none may
   */
  public InetAddress firstPermitted(String host, InetAddress[] addresses) {
    for (InetAddress address : addresses) {
      if (refusal(address).isEmpty()) {
        return address;
      }
    }
    if (addresses.length == 0) {
      throw new IllegalArgumentException(host + " resolved to no address");
    }
    throw refused(addresses[0]);
  }

  /** The refusal of connecting to {@code address}, with the key that would allow it. */
  public AddressRefused refused(InetAddress address) {
    String reason = refusal(address).orElse("not allowed");
    return new AddressRefused(
        "refused to connect to " + address.getHostAddress() + ": " + reason + "; see " + KEY);
  }

  /**
   * Why {@code host}, as written in a URL, is refused when it is an IP address literal (IPv6 in
   * brackets); empty for a host name, which is checked when it is resolved, before every connection.
   */
  public Optional<String> literalRefusal(String host) {
    if (host == null || host.isEmpty()) {
      return Optional.empty();
    }
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    // Lenient on purpose: the resolver reads 127.1 or 2130706433 as 127.0.0.1, and so does this.
    IPAddress ip = new IPAddressString(literal).getAddress();
    if (ip == null || ip.isMultiple()) {
      return Optional.empty();
    }
    InetAddress address = ip.toInetAddress();
    return refusal(address).map(reason -> refused(address).getMessage());
  }

  private boolean isAllowed(IPAddress ip) {
    return allowed.stream().anyMatch(range -> range.getIPVersion() == ip.getIPVersion() && range.contains(ip));
  }

  private static Optional<String> kind(IPAddress ip) {
    return REFUSED.stream()
        .filter(r -> r.block().getIPVersion() == ip.getIPVersion() && r.block().contains(ip))
        .map(Range::kind)
        .findFirst();
  }

  /** The IPv4 address an IPv6 one carries (but not {@code ::} and {@code ::1}, which are their own). */
  private static Optional<IPAddress> carriedIpv4(IPAddress ip) {
    if (!ip.isIPv6() || ip.isLoopback() || ip.isZero()) {
      return Optional.empty();
    }
    if (CARRYING_IPV4.stream().noneMatch(range -> range.contains(ip))) {
      return Optional.empty();
    }
    return Optional.of(((IPv6Address) ip).getEmbeddedIPv4Address());
  }

  private static IPAddress of(InetAddress address) {
    if (address instanceof Inet4Address v4) {
      return new IPv4Address(v4);
    }
    if (address instanceof Inet6Address v6) {
      // The scope (an interface, e.g. fe80::1%eth0) does not change which range it is in.
      return new IPv6Address(v6.getAddress());
    }
    throw new IllegalArgumentException("not an IP address: " + address);
  }

  private static Range range(String cidr, String kind) {
    return new Range(block(cidr), kind);
  }

  private static IPAddress block(String cidr) {
    return new IPAddressString(cidr).getAddress().toPrefixBlock();
  }

  @Override
  public String toString() {
    return "AddressPolicy" + Arrays.toString(allowed.toArray());
  }
}
