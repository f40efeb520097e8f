package dev.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.relay.http.ErrorHandling;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.testkit.ActorSystemResource;
import org.apache.pekko.http.javadsl.testkit.JUnitRouteTestBase;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * pekko-http-testkit's route tests on JUnit 5: one actor system per test class, and routes sealed
 * with Relay's JSON error handling, as the node serves them.
 */
public abstract class RouteTestSupport extends JUnitRouteTestBase {

  private static final ActorSystemResource SYSTEM =
      new ActorSystemResource("route-test", ConfigFactory.parseString("pekko.loglevel = WARNING"));
  protected static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void startSystem() {
    SYSTEM.before();
  }

  @AfterAll
  static void stopSystem() {
    SYSTEM.after();
  }

  @Override
  public ActorSystemResource systemResource() {
    return SYSTEM;
  }

  protected TestRoute sealed(Route route) {
    return testRoute(ErrorHandling.seal(route));
  }

  protected static HttpRequest postJson(String uri, String body) {
    return HttpRequest.POST(uri).withEntity(ContentTypes.APPLICATION_JSON, body);
  }

  protected static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
