package dev.relay.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.OAuth2BearerToken;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The admin API's guard: {@code Authorization: Bearer <relay.admin-token>}. A client address with
 * too many failed checks gets {@code 429} with {@code Retry-After} until its window ends (see
 * {@link AuthFailureThrottle}).
 */
public final class AdminAuth extends AllDirectives {

  /** The shortest admin token accepted: as long as a generated one is random bytes. */
  public static final int MIN_TOKEN_LENGTH = 32;

  private final byte[] token;
  private final AuthFailureThrottle throttle;

  public AdminAuth(String token, AuthFailureThrottle throttle) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.throttle = throttle;
  }

  public Route require(Supplier<Route> inner) {
    return extractRequest(
        request -> {
          String client = clientAddress(request);
          Optional<Duration> blocked = throttle.blockedFor(client);
          if (blocked.isPresent()) {
            long seconds = Math.max(1, (blocked.get().toMillis() + 999) / 1000);
            return complete(
                Json.error(StatusCodes.TOO_MANY_REQUESTS,
                        "too many failed admin token checks from this address; retry after " + seconds + " s")
                    .addHeader(RetryAfter.create(seconds)));
          }
          return optionalHeaderValueByType(
              Authorization.class,
              header -> {
                if (header.isPresent() && matches(header)) {
                  return inner.get();
                }
                throttle.failed(client);
                return complete(
                    Json.error(StatusCodes.UNAUTHORIZED, "missing or wrong admin token")
                        .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "relay"))));
              });
        });
  }

  /**
   * The TCP peer's address (pekko.http.server.remote-address-attribute), never a header a client
   * could set to spread its failures over made-up addresses.
   */
  private static String clientAddress(HttpRequest request) {
    return request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress)
        .map(address -> address.getHostAddress())
        .orElse("unknown");
  }

  private boolean matches(Optional<Authorization> header) {
    if (!(header.get().credentials() instanceof OAuth2BearerToken bearer)) {
      return false;
    }
    // Constant time, so the token cannot be guessed byte by byte from response times.
    return MessageDigest.isEqual(token, bearer.token().getBytes(StandardCharsets.UTF_8));
  }
}
