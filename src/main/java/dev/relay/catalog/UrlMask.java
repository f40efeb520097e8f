package dev.relay.catalog;

import java.util.ArrayList;
import java.util.List;

/**
 * A URL as responses and the audit trail show it: the value of every query parameter (API keys often
 * travel there) and any user information replaced by {@link #MASK}. Scheme, host, port, path
 * and parameter names stay, so a person can still tell which endpoint it is.
 */
public final class UrlMask {

  /** What stands in for a secret wherever settings or requests are shown. */
  public static final String MASK = "********";

  private UrlMask() {}

  public static String mask(String url) {
    if (url == null || url.isEmpty()) {
      return url;
    }
    int fragment = url.indexOf('#');
    String beforeFragment = fragment < 0 ? url : url.substring(0, fragment);
    String after = fragment < 0 ? "" : url.substring(fragment);
    int query = beforeFragment.indexOf('?');
    String base = query < 0 ? beforeFragment : beforeFragment.substring(0, query);
    String masked = maskUserInfo(base);
    if (query >= 0) {
      masked += "?" + maskQuery(beforeFragment.substring(query + 1));
    }
    return masked + after;
  }

  private static String maskUserInfo(String base) {
    int scheme = base.indexOf("://");
    int authorityStart = scheme < 0 ? 0 : scheme + 3;
    int authorityEnd = base.indexOf('/', authorityStart);
    String authority = authorityEnd < 0 ? base.substring(authorityStart) : base.substring(authorityStart, authorityEnd);
    int at = authority.lastIndexOf('@');
    if (scheme < 0 || at < 0) {
      return base;
    }
    return base.substring(0, authorityStart) + MASK + authority.substring(at)
        + (authorityEnd < 0 ? "" : base.substring(authorityEnd));
  }

  /** {@code a=1&b=2} becomes {@code a=********&b=********}; a parameter without a name is masked whole. */
  private static String maskQuery(String query) {
    List<String> masked = new ArrayList<>();
    for (String parameter : query.split("&", -1)) {
      int equals = parameter.indexOf('=');
      if (parameter.isEmpty() || equals == parameter.length() - 1) {
        masked.add(parameter);
      } else if (equals < 0) {
        masked.add(MASK);
      } else {
        masked.add(parameter.substring(0, equals + 1) + MASK);
      }
    }
    return String.join("&", masked);
  }
}
