package dev.relay;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.relay.catalog.Outcome;
import dev.relay.destination.DestinationCommand;
import dev.relay.destination.DestinationEntity;
import dev.relay.destination.DestinationEvent;
import dev.relay.destination.DestinationReply;
import dev.relay.testing.Backend;
import dev.relay.testing.Journal;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's life: readiness, its guarded API, and a restart that keeps what it was given. */
abstract class NodeLifecycleTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  abstract Backend backend();

  @TempDir Path dataDir;

  @Test
  void aNodeBecomesReadyAndAnswersEveryErrorInJson() {
    try (Backend.Storage storage = backend().open(dataDir);
        TestNode node = TestNode.start(storage)) {
      await(WAIT, "/ready", () -> node.management("/ready") == 200);
      assertEquals(200, node.management("/alive"));

      TestNode.Answer noToken = node.send("GET", "/api/destinations", null, Map.of());
      assertEquals(401, noToken.status());
      assertEquals("missing or wrong admin token", noToken.json().path("error").asText());
      TestNode.Answer wrongToken = node.send("GET", "/api/destinations", null, Map.of("Authorization", "Bearer nope"));
      assertEquals(401, wrongToken.status());

      TestNode.Answer unknown = node.admin("GET", "/api/no-such-thing");
      assertEquals(404, unknown.status());
      assertTrue(unknown.json().has("error"));
      assertEquals(404, node.send("GET", "/nothing/here", null, Map.of()).status());

      TestNode.Answer wrongMethod = node.admin("DELETE", "/api/catalog");
      assertEquals(405, wrongMethod.status());
      assertTrue(wrongMethod.json().has("error"), wrongMethod.body());
    }
  }

  @Test
  void aRestartKeepsDestinationsAndResumesDeliveryWithoutNewTraffic() throws Exception {
    try (Backend.Storage storage = backend().open(dataDir);
        StandInDestination standIn = StandInDestination.start()) {
      standIn.alwaysAnswer(Answer.status(503));
      var fastRetries =
          ConfigFactory.parseMap(Map.of("relay.delivery.retry.base-delay", "300ms", "relay.delivery.retry.jitter", 0.0));
      String id;
      try (TestNode node = TestNode.start(storage, fastRetries)) {
        TestNode.Answer created =
            node.admin("POST", "/api/destinations", Map.of("name", "hook", "type", "webhook", "settings", Map.of("url", standIn.url("/h"))));
        id = created.json().path("id").asText();
        ObjectNode event = TestNode.json().createObjectNode().put("type", "identify").put("userId", "u-1").put("messageId", "m-restart");
        ClusterSharding.get(node.node().system())
            .entityRefFor(DestinationEntity.TYPE_KEY, id)
            .<DestinationReply.Accepted>askWithStatus(r -> new DestinationCommand.Accept(List.of(new DestinationCommand.Incoming("src", event)), r), Duration.ofSeconds(10))
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
        standIn.awaitRequests(1, WAIT);
      }
      int beforeRestart = standIn.received().size();
      standIn.alwaysAnswer(Answer.status(200));

      try (TestNode restarted = TestNode.start(storage, fastRetries)) {
        TestNode.Answer listed = restarted.admin("GET", "/api/destinations");
        assertEquals(id, listed.json().path(0).path("id").asText(), listed.body());
        // Remember-entities brings the destination back; its retry timer delivers with no new request.
        await(
            WAIT,
            "delivery after the restart",
            () ->
                Journal.eventsOf(restarted.node(), id, DestinationEvent.AttemptRecorded.class).stream()
                    .anyMatch(a -> a.items().get(0).outcome() == Outcome.DELIVERED));
        assertTrue(standIn.received().size() > beforeRestart);
        assertEquals("m-restart", TestNode.json().readTree(standIn.received().get(standIn.received().size() - 1).body()).path("messageId").asText());
      }
    }
  }
}
