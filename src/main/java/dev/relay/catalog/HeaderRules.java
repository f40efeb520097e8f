package dev.relay.catalog;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which headers a customer may set on requests to their destination: names that are RFC 9110 tokens,
 * values without control characters (a CR or LF would end the header and start another), and none
 * of the headers that frame the message or the connection, which the HTTP client writes itself.
 */
public final class HeaderRules {

  /** Framing and hop-by-hop headers (RFC 9110 §7.6.1, RFC 9112), and Host. */
  private static final Set<String> RESERVED =
      Set.of(
          "host", "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection",
          "te", "trailer", "upgrade", "proxy-authenticate", "proxy-authorization");

  private HeaderRules() {}

  /** Why the header {@code name: value} may not be sent, naming the header but never its value. */
  public static Optional<String> problem(String name, String value) {
    if (name == null || name.isEmpty() || !name.chars().allMatch(HeaderRules::isTokenChar)) {
      return Optional.of("header '" + printable(name) + "': the name must be an RFC 9110 token (letters, digits and !#$%&'*+-.^_`|~)");
    }
    if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
      return Optional.of("header '" + name + "': set by the HTTP client itself, it cannot be given");
    }
    if (value == null || value.chars().anyMatch(HeaderRules::isControl)) {
      return Optional.of("header '" + name + "': the value must not contain control characters (such as CR or LF)");
    }
    return Optional.empty();
  }

  private static boolean isTokenChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  /** Control characters but horizontal tab, which field values may contain. */
  private static boolean isControl(int c) {
    return (c < 0x20 && c != '\t') || c == 0x7f;
  }

  /** A name as it may be shown: control characters escaped, so the message cannot split a log line. */
  private static String printable(String name) {
    if (name == null) {
      return "";
    }
    StringBuilder shown = new StringBuilder();
    name.chars().forEach(c -> shown.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : String.valueOf((char) c)));
    return shown.toString();
  }
}
