package dev.relay.http;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.relay.destination.ApiCallTester;
import dev.relay.destination.DestinationCommand;
import dev.relay.destination.DestinationEntity;
import dev.relay.destination.DestinationReply;
import dev.relay.destination.DestinationRoutes;
import dev.relay.destination.DestinationView;
import dev.relay.destination.Destinations;
import dev.relay.destination.TesterRoutes;
import dev.relay.source.SourceAdminRoutes;
import dev.relay.source.SourceEntity;
import dev.relay.source.Sources;
import dev.relay.testing.ProductionLog;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.Status;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.ActorSystemResource;
import org.apache.pekko.http.javadsl.testkit.JUnitRouteTestBase;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the admin API answers when an entity does not give a normal reply: no answer in time is a
 * 503 saying so; an answer that is a failure is a 500 with the cause in the log, not disguised as a
 * timeout. The entities are stand-ins under the real type keys, on a one-node cluster.
 */
class AskFailuresTest extends JUnitRouteTestBase {

  private static final ActorSystemResource SYSTEM =
      new ActorSystemResource(
          "ask-failures",
          ConfigFactory.parseString(
                  "pekko.loglevel = WARNING\n"
                      + "pekko.actor.provider = cluster\n"
                      + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                      + "pekko.remote.artery.canonical.port = 0\n"
                      + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n")
              .withFallback(ConfigFactory.defaultReference()));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration ASK_TIMEOUT = Duration.ofMillis(500);

  @Override
  public ActorSystemResource systemResource() {
    return SYSTEM;
  }

  @BeforeAll
  static void startCluster() {
    SYSTEM.before();
    ActorSystem<Void> system = Adapter.toTyped(SYSTEM.system());
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    await(Duration.ofSeconds(20), "the node is up", () -> cluster.selfMember().status() == MemberStatus.up());
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(DestinationEntity.TYPE_KEY, context -> destination(context.getEntityId())));
    sharding.init(Entity.of(SourceEntity.TYPE_KEY, context -> source(context.getEntityId())));
  }

  @AfterAll
  static void stopSystem() {
    SYSTEM.after();
  }

  /** The admin routes of destinations, their tester and sources, as the node serves them. */
  private TestRoute route() {
    ActorSystem<Void> system = Adapter.toTyped(system());
    Destinations destinations = new Destinations(system, ASK_TIMEOUT, destinationId -> CompletableFuture.completedFuture(List.of()));
    // Asking for one source uses neither the directory nor destinations' deletion.
    Sources sources = new Sources(system, destinations, null, ASK_TIMEOUT);
    ApiCallTester tester = new ApiCallTester(system, JSON, ASK_TIMEOUT, Clock.systemUTC());
    TesterRoutes testerRoutes = new TesterRoutes(destinations, tester, JSON);
    DestinationRoutes destinationRoutes = new DestinationRoutes(destinations, JSON);
    return testRoute(
        ErrorHandling.seal(
            concat(destinationRoutes.route(testerRoutes::route), new SourceAdminRoutes(sources, JSON).sources())));
  }

  @Test
  void aDestinationThatAnswersWithAFailureIsA500WithTheCauseLoggedNotATimeout() {
    Logged answer = runLogged(HttpRequest.GET("/destinations/broken-1"));

    answer.result().assertStatusCode(StatusCodes.INTERNAL_SERVER_ERROR);
    assertEquals("internal error; see the node's log", error(answer.result()));
    assertCauseLogged(answer.events(), "GET /destinations/broken-1");
  }

  @Test
  void aDestinationThatDoesNotAnswerInTimeIsA503SayingSo() {
    TestRouteResult result = route().run(HttpRequest.GET("/destinations/silent-1"));

    result.assertStatusCode(StatusCodes.SERVICE_UNAVAILABLE);
    assertEquals("destination silent-1 did not answer in time; try again", error(result));
  }

  @Test
  void aTestThatTheDestinationAnswersWithAFailureIsA500WithTheCauseLogged() {
    Logged answer =
        runLogged(
            HttpRequest.POST("/destinations/tester-broken-1/test")
                .withEntity(ContentTypes.APPLICATION_JSON, "{\"type\":\"track\"}"));

    answer.result().assertStatusCode(StatusCodes.INTERNAL_SERVER_ERROR);
    assertEquals("internal error; see the node's log", error(answer.result()));
    assertCauseLogged(answer.events(), "POST /destinations/tester-broken-1/test");
  }

  @Test
  void aSourceThatAnswersWithAFailureIsA500WithTheCauseLoggedNotATimeout() {
    Logged answer = runLogged(HttpRequest.GET("/sources/broken-1"));

    answer.result().assertStatusCode(StatusCodes.INTERNAL_SERVER_ERROR);
    assertEquals("internal error; see the node's log", error(answer.result()));
    assertCauseLogged(answer.events(), "GET /sources/broken-1");
  }

  @Test
  void aSourceThatDoesNotAnswerInTimeIsA503SayingSo() {
    TestRouteResult result = route().run(HttpRequest.GET("/sources/silent-1"));

    result.assertStatusCode(StatusCodes.SERVICE_UNAVAILABLE);
    assertEquals("source silent-1 did not answer in time; try again", error(result));
  }

  private record Logged(TestRouteResult result, List<ILoggingEvent> events) {}

  /** The route's answer to {@code request} and what was logged while it ran. */
  private Logged runLogged(HttpRequest request) {
    TestRouteResult[] result = new TestRouteResult[1];
    List<ILoggingEvent> events =
        ProductionLog.capture(
            () -> {
              result[0] = route().run(request);
              result[0].response(); // the route runs when its result is first read
            });
    return new Logged(result[0], events);
  }

  private static void assertCauseLogged(List<ILoggingEvent> logged, String request) {
    List<ILoggingEvent> errors =
        logged.stream()
            .filter(e -> e.getLevel() == Level.ERROR && e.getLoggerName().equals(ErrorHandling.class.getName()))
            .toList();
    assertEquals(1, errors.size(), "one error logged: " + logged.stream().map(ILoggingEvent::getFormattedMessage).toList());
    ILoggingEvent error = errors.get(0);
    assertTrue(error.getFormattedMessage().contains(request), error.getFormattedMessage());
    assertTrue(error.getThrowableProxy() != null, "the cause with its stack trace");
    assertEquals(IllegalStateException.class.getName(), error.getThrowableProxy().getClassName());
    assertEquals("the entity broke", error.getThrowableProxy().getMessage());
  }

  private static String error(TestRouteResult result) {
    try {
      JsonNode body = JSON.readTree(result.entityString());
      return body.path("error").asText();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A destination by its id: {@code silent-*} never answers, {@code broken-*} answers with a failure. */
  private static Behavior<DestinationCommand> destination(String id) {
    return Behaviors.receiveMessage(
        command -> {
          if (id.startsWith("broken")) {
            fail(replyTo(command));
          } else if (id.startsWith("tester-broken")) {
            if (command instanceof DestinationCommand.Get get) {
              get.replyTo().tell(new DestinationReply.Ok(
                  new DestinationView(id, "stand-in", "webhook", true, JSON.createObjectNode(), List.of(), List.of())));
            } else {
              fail(replyTo(command));
            }
          }
          return Behaviors.same();
        });
  }

  private static ActorRef<?> replyTo(DestinationCommand command) {
    if (command instanceof DestinationCommand.Get get) {
      return get.replyTo();
    }
    if (command instanceof DestinationCommand.SendTest test) {
      return test.replyTo();
    }
    throw new IllegalArgumentException("not used in this test: " + command);
  }

  private static Behavior<SourceEntity.Command> source(String id) {
    return Behaviors.receiveMessage(
        command -> {
          if (id.startsWith("broken") && command instanceof SourceEntity.Get get) {
            fail(get.replyTo());
          }
          return Behaviors.same();
        });
  }

  /** Answers an ask with a failure, as Pekko's ask completes its future with a Status.Failure. */
  @SuppressWarnings("unchecked")
  private static void fail(ActorRef<?> replyTo) {
    ((ActorRef<Object>) replyTo).tell(new Status.Failure(new IllegalStateException("the entity broke")));
  }
}
