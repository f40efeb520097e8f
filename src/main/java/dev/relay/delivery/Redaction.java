package dev.relay.delivery;

import dev.relay.catalog.OutgoingRequest;
import dev.relay.catalog.UrlMask;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The request as the audit trail keeps it: credentials replaced by {@code [redacted]} wherever they
 * appear (headers, URL, body), authentication headers always redacted, the URL's query values and
 * user information masked ({@link UrlMask}), the body cut at a bound.
 */
public final class Redaction {

  public static final String REDACTED = "[redacted]";
  private static final Set<String> CREDENTIAL_HEADERS =
      Set.of("authorization", "proxy-authorization", "x-api-key", "api-key", "cookie");
  /** Shorter secrets are not searched for in URL and body: they would redact ordinary text. */
  private static final int MIN_SECRET_LENGTH = 4;

  private Redaction() {}

  public static OutgoingRequest redact(
      OutgoingRequest request, Collection<String> secrets, int maxBodyChars) {
    Map<String, String> headers = new LinkedHashMap<>();
    request
        .headers()
        .forEach(
            (name, value) ->
                headers.put(
                    name,
                    CREDENTIAL_HEADERS.contains(name.toLowerCase(Locale.ROOT)) || secrets.contains(value)
                        ? REDACTED
                        : scrub(value, secrets)));
    String body = scrub(request.body(), secrets);
    if (body.length() > maxBodyChars) {
      body = body.substring(0, maxBodyChars) + "…[truncated " + (body.length() - maxBodyChars) + " chars]";
    }
    return new OutgoingRequest(request.method(), UrlMask.mask(scrub(request.url(), secrets)), headers, body);
  }

  private static String scrub(String text, Collection<String> secrets) {
    String result = text;
    for (String secret : secrets) {
      if (secret.length() >= MIN_SECRET_LENGTH && result.contains(secret)) {
        result = result.replace(secret, REDACTED);
      }
    }
    return result;
  }
}
