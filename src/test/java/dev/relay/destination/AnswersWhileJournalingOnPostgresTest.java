package dev.relay.destination;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.relay.catalog.Outcome;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.testing.Backend;
import dev.relay.testing.Journal;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request's slot is free once its answer is in: the destination's next request goes out while the
 * entity is still writing the answered attempt to the journal, not after. What waits for the journal
 * is bounded too, by max-in-flight more requests. Here max-in-flight is 1 and the journal write of
 * the destination's attempts is held on PostgreSQL (a trigger waits for a lock the test holds).
 */
class AnswersWhileJournalingOnPostgresTest {

  /** The advisory lock the held attempt write waits for; the test holds it. */
  private static final long HOLD = 4_242_002L;

  @TempDir Path dataDir;

  @Test
  void theNextRequestGoesWhileTheAnsweredAttemptIsJournaledAndNoFurther() throws Exception {
    try (Backend.Storage storage = Backend.POSTGRES.open(dataDir);
        TestNode node = TestNode.start(storage, ConfigFactory.parseMap(Map.of(
            "relay.delivery.allowed-networks", "127.0.0.0/8",
            "relay.delivery.max-in-flight", 1)));
        StandInDestination standIn = StandInDestination.start();
        Connection holder = storage.postgres().connect()) {
      TestNode.Answer created = node.admin("POST", "/api/destinations",
          Map.of("name", "hook", "type", "webhook", "settings", Map.of("url", standIn.url("/events"))));
      assertEquals(201, created.status(), created.body());
      String id = created.json().path("id").asText();

      holder.setAutoCommit(true);
      try (Statement sql = holder.createStatement()) {
        sql.execute("SELECT pg_advisory_lock(" + HOLD + ")");
        sql.execute("CREATE FUNCTION hold_attempt_write() RETURNS trigger LANGUAGE plpgsql AS $$"
            + " BEGIN PERFORM pg_advisory_xact_lock_shared(" + HOLD + "); RETURN NEW; END $$");
        sql.execute("CREATE TRIGGER hold_attempt_write BEFORE INSERT ON event_journal FOR EACH ROW"
            + " WHEN (NEW.persistence_id = 'Destination|" + id + "' AND NEW.event_ser_manifest LIKE '%$AttemptRecorded')"
            + " EXECUTE FUNCTION hold_attempt_write()");
      }
      List<String> messageIds = accept(node, id, 3);

      // The first answer is in, its attempt's write waits: the second request goes meanwhile.
      await(Duration.ofSeconds(10), "a second request while the first attempt's write is held",
          () -> standIn.received().size() == 2);
      // Nothing more: one request's answer waits for the journal, the other's behind that write.
      Thread.sleep(1000);
      assertEquals(2, standIn.received().size(), "requests while one answered attempt is unjournaled and one in flight");

      try (Statement sql = holder.createStatement()) {
        sql.execute("SELECT pg_advisory_unlock(" + HOLD + ")");
      }
      await(Duration.ofSeconds(20), "all three journaled as delivered", () -> delivered(node, id) == 3);
      List<String> received = standIn.received().stream()
          .map(r -> messageId(r.body()))
          .sorted()
          .toList();
      assertEquals(messageIds, received, "each event sent once");
      assertEquals(3, Journal.eventsOf(node.node(), id, AttemptRecorded.class).size(), "every attempt recorded");
    }
  }

  private static List<String> accept(TestNode node, String destinationId, int count) throws Exception {
    List<ObjectNode> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(TestNode.json().createObjectNode()
          .put("type", "track").put("event", "Order Completed").put("userId", "u-" + i)
          .put("messageId", destinationId + "-m-" + i));
    }
    DestinationReply.Accepted accepted =
        ClusterSharding.get(node.node().system())
            .entityRefFor(DestinationEntity.TYPE_KEY, destinationId)
            .<DestinationReply.Accepted>askWithStatus(
                replyTo -> new DestinationCommand.Accept(
                    events.stream().map(e -> new DestinationCommand.Incoming("src_test", e)).toList(), replyTo),
                Duration.ofSeconds(10))
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
    assertEquals(count, accepted.queued());
    return events.stream().map(e -> e.path("messageId").asText()).sorted().toList();
  }

  private static String messageId(String body) {
    try {
      return TestNode.json().readTree(body).path("messageId").asText();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long delivered(TestNode node, String destinationId) {
    return Journal.eventsOf(node.node(), destinationId, AttemptRecorded.class).stream()
        .flatMap(a -> a.items().stream())
        .filter(o -> o.outcome() == Outcome.DELIVERED)
        .count();
  }
}
