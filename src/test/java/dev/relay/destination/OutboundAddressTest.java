package dev.relay.destination;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.catalog.Outcome;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.testing.Backend;
import dev.relay.testing.Journal;
import dev.relay.testing.NodePerClass;
import dev.relay.testing.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/**
 * A node with the default policy (no allowed networks): destinations may not reach loopback or
 * private addresses, whether written as IP literals (refused when saved) or behind a host name
 * (refused when resolved, as a failed attempt that is not retried).
 */
class OutboundAddressTest extends NodePerClass {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String REFUSED_LOOPBACK =
      "refused to connect to (127\\.0\\.0\\.1|0:0:0:0:0:0:0:1): loopback address; see relay\\.delivery\\.allowed-networks";

  @Override
  protected Backend backend() {
    return Backend.H2;
  }

  @Override
  protected Config nodeConfig() {
    // The test defaults allow loopback for the stand-ins; this node keeps the production default.
    return ConfigFactory.parseMap(Map.of("relay.delivery.allowed-networks", ""));
  }

  private TestNode.Answer create(String url) {
    return node.admin("POST", "/api/destinations", Map.of("name", "hook", "type", "webhook", "settings", Map.of("url", url)));
  }

  @Test
  void internalIpLiteralsAreRefusedWhenSavedAndNothingIsStored() {
    int before = node.admin("GET", "/api/destinations").json().size();
    Map<String, String> refused =
        Map.of(
            standIn.url("/h"), "url: refused to connect to 127.0.0.1: loopback address; see relay.delivery.allowed-networks",
            "http://10.0.0.5/h", "url: refused to connect to 10.0.0.5: private address; see relay.delivery.allowed-networks",
            "http://169.254.169.254/latest/meta-data", "url: refused to connect to 169.254.169.254: link-local address; see relay.delivery.allowed-networks",
            "http://[::1]:8080/h", "url: refused to connect to 0:0:0:0:0:0:0:1: loopback address; see relay.delivery.allowed-networks",
            "http://[::ffff:192.168.1.1]/h", "url: refused to connect to 0:0:0:0:0:ffff:c0a8:101: private address carried in an IPv6 address; see relay.delivery.allowed-networks");
    refused.forEach(
        (url, error) -> {
          TestNode.Answer answer = create(url);
          assertEquals(400, answer.status(), url + " -> " + answer.body());
          assertEquals(error, answer.json().path("error").asText(), url);
        });
    assertEquals(before, node.admin("GET", "/api/destinations").json().size(), "nothing was created");
  }

  @Test
  void aSettingsPatchToAPrivateLiteralIsRefusedAndChangesNothing() {
    TestNode.Answer created = create("https://hooks.example.com/in");
    assertEquals(201, created.status(), created.body());
    String id = created.json().path("id").asText();
    TestNode.Answer patched = node.admin("PATCH", "/api/destinations/" + id + "/settings", Map.of("url", "http://192.168.1.10/in"));
    assertEquals(400, patched.status(), patched.body());
    assertEquals(
        "url: refused to connect to 192.168.1.10: private address; see relay.delivery.allowed-networks",
        patched.json().path("error").asText());
    assertEquals("https://hooks.example.com/in", node.admin("GET", "/api/destinations/" + id).json().path("settings").path("url").asText());
  }

  @Test
  void aHostNameResolvingToLoopbackFailsItsAttemptForGoodAndNothingIsSent() {
    String localhost = standIn.url("/h").replace("127.0.0.1", "localhost");
    TestNode.Answer created = create(localhost);
    assertEquals(201, created.status(), "a host name is checked when resolved, not when saved: " + created.body());
    String id = created.json().path("id").asText();
    accept(id, "Order Completed");

    await(WAIT, "the attempt is journaled", () -> !Journal.eventsOf(node.node(), id, AttemptRecorded.class).isEmpty());
    AttemptRecorded attempt = Journal.eventsOf(node.node(), id, AttemptRecorded.class).get(0);
    assertTrue(attempt.error().orElse("").matches(REFUSED_LOOPBACK), attempt.error().toString());
    assertEquals(Outcome.FAILED, attempt.items().get(0).outcome(), "a refused address is not retried");
    assertTrue(attempt.items().get(0).nextAttemptAt().isEmpty());

    // The action journal says so too.
    String journal = "/api/destinations/" + id + "/journal";
    await(WAIT, "the failed action in the journal API", () -> node.admin("GET", journal + "?status=failed").json().path("items").size() == 1);
    JsonNode item = node.admin("GET", journal + "?status=failed").json().path("items").get(0);
    assertTrue(item.path("lastError").asText().matches(REFUSED_LOOPBACK), item.toString());
    JsonNode log = node.admin("GET", journal + "/" + item.path("id").asText()).json().path("attemptLog");
    assertEquals(1, log.size(), log.toString());
    assertEquals("failed", log.get(0).path("outcome").asText());
    assertTrue(log.get(0).path("error").asText().matches(REFUSED_LOOPBACK), log.toString());
    assertEquals(0, standIn.received().size(), "nothing reached the stand-in");
  }

  @Test
  void theTesterRefusesAHostNameResolvingToLoopback() {
    String localhost = standIn.url("/h").replace("127.0.0.1", "localhost");
    TestNode.Answer created = create(localhost);
    assertEquals(201, created.status(), created.body());
    String id = created.json().path("id").asText();
    TestNode.Answer tested = node.admin("POST", "/api/destinations/" + id + "/test", Map.of("type", "track"));
    assertEquals(200, tested.status(), tested.body());
    JsonNode result = tested.json().path("results").get(0);
    assertEquals("failed", result.path("outcome").asText(), result.toString());
    assertTrue(result.path("error").asText().matches(REFUSED_LOOPBACK), result.toString());
    assertTrue(result.path("response").isNull(), result.toString());
    assertEquals(0, standIn.received().size(), "nothing reached the stand-in");
  }

  private void accept(String destinationId, String event) {
    ObjectNode track =
        TestNode.json().createObjectNode().put("type", "track").put("event", event).put("userId", "u-1")
            .put("messageId", destinationId + "-m-1");
    try {
      DestinationReply.Accepted accepted =
          ClusterSharding.get(node.node().system())
              .entityRefFor(DestinationEntity.TYPE_KEY, destinationId)
              .<StatusReply<DestinationReply.Accepted>>ask(
                  replyTo -> new DestinationCommand.Accept(List.of(new DestinationCommand.Incoming("src_it", track)), replyTo),
                  Duration.ofSeconds(10))
              .toCompletableFuture()
              .get(15, TimeUnit.SECONDS)
              .getValue();
      assertEquals(1, accepted.queued());
    } catch (Exception e) {
      throw new AssertionError("accept failed", e);
    }
  }
}
