package dev.relay.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

import dev.relay.core.AsyncFailure;
import dev.relay.core.Problem;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every answer that is not a success is {@code {"error": ...}}: {@link Problem}s that services and
 * routes report, Pekko HTTP's rejections (unknown route, wrong method, bad body) and failures. This
 * is the one place that turns a problem's kind into a status. Client errors are logged in one line;
 * server errors with the request and the failure behind them, whose stack trace is never sent.
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
        .match(Throwable.class, failure -> extractRequest(request -> complete(respond(request, failure))))
        .build();
  }

  /** The status each kind of problem is answered with. */
  static StatusCode status(Problem.Kind kind) {
    return switch (kind) {
      case INVALID -> StatusCodes.BAD_REQUEST;
      case TOO_LARGE -> StatusCodes.PAYLOAD_TOO_LARGE;
      case UNAUTHENTICATED -> StatusCodes.UNAUTHORIZED;
      case NOT_FOUND -> StatusCodes.NOT_FOUND;
      case CONFLICT -> StatusCodes.CONFLICT;
      // 429, not 503: the node is fine; this caller has too much under way.
      case BUSY -> StatusCodes.TOO_MANY_REQUESTS;
      case UNAVAILABLE -> StatusCodes.SERVICE_UNAVAILABLE;
    };
  }

  private static HttpResponse respond(HttpRequest request, Throwable failure) {
    Throwable cause = AsyncFailure.unwrap(failure);
    // The path without the query: query values (user ids, event names) are people's data.
    String what = request.method().value() + " " + request.getUri().path();
    if (cause instanceof Problem problem) {
      StatusCode status = status(problem.kind());
      if (status.intValue() >= 500) {
        // In one line: an unavailable node (a timeout, the database away) fails many requests
        // alike, and a stack trace each would bury the log.
        log.warn("{} {}: {}{}", status.intValue(), what, problem.getMessage(),
            problem.getCause() == null ? "" : " (cause: " + problem.getCause() + ")");
      } else {
        log.info("{} {}: {}", status.intValue(), what, problem.getMessage());
      }
      return Json.error(status, problem.getMessage());
    }
    log.error("500 {}: failed", what, cause);
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
