package dev.relay.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Ids;
import dev.relay.destination.DestinationCommand;
import dev.relay.destination.DestinationEntity;
import dev.relay.destination.DestinationReply;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/**
 * Traffic for read-side tests: webhook destinations on a stand-in, and source events handed to a
 * destination's entity as ingest does (ingest's routes live in another package).
 */
final class Traffic {

  static final String SECRET = "Bearer sk_live_do_not_log_me";
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Traffic() {}

  /** Creates a webhook destination sending to {@code standIn}; returns its id. */
  static String webhook(TestNode node, StandInDestination standIn, Map<String, Object> settings) {
    ObjectNode body = JSON.objectNode();
    body.put("name", "Webhook " + Ids.random(4));
    body.put("type", "webhook");
    ObjectNode all = body.putObject("settings");
    all.put("url", standIn.url("/hook"));
    all.putObject("headers").put("Authorization", SECRET);
    settings.forEach((k, v) -> all.set(k, TestNode.json().valueToTree(v)));
    TestNode.Answer created = node.admin("POST", "/api/destinations", body);
    assertEquals(201, created.status(), created.body());
    return created.json().path("id").asText();
  }

  static String webhook(TestNode node, StandInDestination standIn) {
    return webhook(node, standIn, Map.of());
  }

  /** Hands {@code events} to the destination and waits until they are journaled. */
  static DestinationReply.Accepted accept(TestNode node, String destinationId, List<ObjectNode> events) {
    try {
      return ClusterSharding.get(node.node().system())
          .entityRefFor(DestinationEntity.TYPE_KEY, destinationId)
          .<StatusReply<DestinationReply.Accepted>>ask(
              replyTo -> new DestinationCommand.Accept(
                  events.stream().map(e -> new DestinationCommand.Incoming("src_test", e)).toList(), replyTo),
              Duration.ofSeconds(20))
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS)
          .getValue();
    } catch (Exception e) {
      throw new AssertionError("destination " + destinationId + " did not accept", e);
    }
  }

  static ObjectNode track(String event, String userId) {
    ObjectNode track = base("track", userId);
    track.put("event", event);
    track.putObject("properties").put("plan", "pro").put("revenue", 42.5);
    return track;
  }

  static ObjectNode page(String name, String userId) {
    ObjectNode page = base("page", userId);
    page.put("name", name);
    return page;
  }

  static ObjectNode identify(String userId) {
    ObjectNode identify = base("identify", userId);
    identify.putObject("traits").put("email", userId + "@example.com");
    return identify;
  }

  private static ObjectNode base(String type, String userId) {
    ObjectNode event = JSON.objectNode();
    event.put("type", type);
    event.put("messageId", "msg-" + Ids.random(16));
    event.put("userId", userId);
    event.put("timestamp", Instant.now().toString());
    event.put("receivedAt", Instant.now().toString());
    return event;
  }

  /** GET on the admin API, asserting 200. */
  static JsonNode get(TestNode node, String path) {
    TestNode.Answer answer = node.admin("GET", path);
    assertEquals(200, answer.status(), () -> path + " answered " + answer.body());
    return answer.json();
  }

  static void await(String what, Duration atMost, java.util.function.BooleanSupplier condition) {
    StandInDestination.await(atMost, what, condition);
  }
}
