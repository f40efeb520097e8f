package dev.relay.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.relay.core.Problem;
import dev.relay.testing.ProductionLog;
import dev.relay.testing.RouteTestSupport;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/** The one place where what went wrong becomes a status, a JSON error and a log line. */
class ErrorHandlingTest extends RouteTestSupport {

  private static final Map<Problem.Kind, StatusCode> STATUSES = new EnumMap<>(Map.of(
      Problem.Kind.INVALID, StatusCodes.BAD_REQUEST,
      Problem.Kind.TOO_LARGE, StatusCodes.PAYLOAD_TOO_LARGE,
      Problem.Kind.UNAUTHENTICATED, StatusCodes.UNAUTHORIZED,
      Problem.Kind.NOT_FOUND, StatusCodes.NOT_FOUND,
      Problem.Kind.CONFLICT, StatusCodes.CONFLICT,
      Problem.Kind.BUSY, StatusCodes.TOO_MANY_REQUESTS,
      Problem.Kind.UNAVAILABLE, StatusCodes.SERVICE_UNAVAILABLE));

  @Test
  void everyKindOfProblemIsAnsweredWithItsStatusAndItsMessage() {
    assertEquals(List.of(Problem.Kind.values()), List.copyOf(STATUSES.keySet()), "every kind has a status here");
    STATUSES.forEach(
        (kind, status) -> {
          Problem problem = Problem.of(kind, "what is wrong with " + kind);
          for (Route route : List.of(failing(() -> problem), thrown(problem))) {
            TestRouteResult result = sealed(route).run(HttpRequest.GET("/any"));
            result.assertStatusCode(status);
            assertEquals(json("{\"error\":\"what is wrong with " + kind + "\"}"), json(result.entityString()), kind.name());
          }
        });
  }

  @Test
  void anUnexpectedFailureIsA500WithAGenericMessageAndIsLoggedWithItsCauseAndRequest() {
    IllegalStateException unexpected = new IllegalStateException("the index is corrupt at page 7");
    TestRouteResult[] result = new TestRouteResult[1];
    List<ILoggingEvent> logged =
        ProductionLog.capture(
            () -> {
              result[0] = sealed(failing(() -> unexpected)).run(HttpRequest.GET("/api/things/t-1?userId=u-secret"));
              result[0].response(); // the route runs when its result is first read
            });

    result[0].assertStatusCode(StatusCodes.INTERNAL_SERVER_ERROR);
    assertEquals(json("{\"error\":\"internal error; see the node's log\"}"), json(result[0].entityString()));
    ILoggingEvent error = onlyEventOf(logged, Level.ERROR);
    assertTrue(error.getFormattedMessage().contains("GET /api/things/t-1"), error.getFormattedMessage());
    assertFalse(error.getFormattedMessage().contains("u-secret"), "no query values: " + error.getFormattedMessage());
    assertEquals(IllegalStateException.class.getName(), error.getThrowableProxy().getClassName());
    assertEquals("the index is corrupt at page 7", error.getThrowableProxy().getMessage());
  }

  @Test
  void anUnavailableProblemIsLoggedWithTheRequestAndItsCauseInOneLine() {
    Problem unavailable = Problem.unavailable("the store is away; retry", new SQLException("connection refused"));
    TestRouteResult[] result = new TestRouteResult[1];
    List<ILoggingEvent> logged =
        ProductionLog.capture(
            () -> {
              result[0] = sealed(failing(() -> unavailable)).run(HttpRequest.POST("/v1/track"));
              result[0].response();
            });

    result[0].assertStatusCode(StatusCodes.SERVICE_UNAVAILABLE);
    assertEquals(json("{\"error\":\"the store is away; retry\"}"), json(result[0].entityString()));
    ILoggingEvent warning = onlyEventOf(logged, Level.WARN);
    assertTrue(warning.getFormattedMessage().contains("POST /v1/track"), warning.getFormattedMessage());
    assertTrue(warning.getFormattedMessage().contains("connection refused"), warning.getFormattedMessage());
    assertNull(warning.getThrowableProxy(), "no stack trace for each refused request");
  }

  /** A route whose reply fails with what {@code failure} gives, as a service's future does. */
  private Route failing(Supplier<? extends Throwable> failure) {
    return onSuccess(
        CompletableFuture.completedFuture("x").thenCompose(x -> CompletableFuture.<String>failedFuture(failure.get())),
        x -> complete("not reached"));
  }

  /** A route that throws {@code problem} as it is built, as a route checking its input does. */
  private Route thrown(Problem problem) {
    return extractRequest(request -> { throw problem; });
  }

  private static ILoggingEvent onlyEventOf(List<ILoggingEvent> logged, Level level) {
    List<ILoggingEvent> events =
        logged.stream()
            .filter(e -> e.getLevel() == level && e.getLoggerName().equals(ErrorHandling.class.getName()))
            .toList();
    assertEquals(1, events.size(), logged.stream().map(ILoggingEvent::getFormattedMessage).toList().toString());
    return events.get(0);
  }
}
