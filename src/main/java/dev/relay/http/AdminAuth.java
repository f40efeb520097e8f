package dev.relay.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.http.javadsl.model.headers.OAuth2BearerToken;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** The admin API's guard: {@code Authorization: Bearer <relay.admin-token>}. */
public final class AdminAuth extends AllDirectives {

  private final byte[] token;

  public AdminAuth(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  public Route require(Supplier<Route> inner) {
    return optionalHeaderValueByType(
        Authorization.class,
        header -> {
          if (header.isPresent() && matches(header)) {
            return inner.get();
          }
          return complete(
              Json.error(StatusCodes.UNAUTHORIZED, "missing or wrong admin token")
                  .addHeader(
                      org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate.create(
                          org.apache.pekko.http.javadsl.model.headers.HttpChallenge.create(
                              "Bearer", "relay"))));
        });
  }

  private boolean matches(Optional<Authorization> header) {
    if (!(header.get().credentials() instanceof OAuth2BearerToken bearer)) {
      return false;
    }
    // Constant time, so the token cannot be guessed byte by byte from response times.
    return MessageDigest.isEqual(token, bearer.token().getBytes(StandardCharsets.UTF_8));
  }
}
