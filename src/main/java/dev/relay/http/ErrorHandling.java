package dev.relay.http;

import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import org.slf4j.LoggerFactory;

/**
 * Every answer that is not a success is {@code {"error": ...}}: refusals Relay decides ({@link
 * ApiError}), Pekko HTTP's rejections (unknown route, wrong method, bad body) and failures. Client
 * errors are logged in one line; only server faults get a stack trace.
 */
public final class ErrorHandling {

  private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);

  private ErrorHandling() {}

  /** {@code route} with every rejection and exception answered as a JSON error. */
  public static Route seal(Route route) {
    return route.seal(rejections(), exceptions());
  }

  static ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(
            CompletionException.class,
            e -> complete(respond(e.getCause() != null ? e.getCause() : e)))
        .match(Throwable.class, e -> complete(respond(e)))
        .build();
  }

  private static HttpResponse respond(Throwable failure) {
    if (failure instanceof ApiError error) {
      if (error.status() >= 500) {
        log.warn("{} {}", error.status(), error.getMessage());
      } else {
        log.info("{} {}", error.status(), error.getMessage());
      }
      return Json.error(StatusCodes.get(error.status()), error.getMessage());
    }
    log.error("Request failed", failure);
    return Json.error(StatusCodes.INTERNAL_SERVER_ERROR, "internal error; see the node's log");
  }

  /** Pekko's own rejection texts, turned into JSON; unknown routes become a JSON 404. */
  static RejectionHandler rejections() {
    return RejectionHandler.defaultHandler()
        .mapRejectionResponse(
            response -> {
              if (response.entity() instanceof HttpEntity.Strict strict
                  && !strict.getContentType().mediaType().toString().equals("application/json")) {
                String text = strict.getData().utf8String();
                String message =
                    text.equals("The requested resource could not be found.")
                        ? "no such route"
                        : text;
                return Json.error(response.status(), message);
              }
              return response;
            });
  }

}
