package dev.relay.readside;

import static dev.relay.readside.Traffic.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.relay.catalog.Outcome;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.testing.Backend;
import dev.relay.testing.Journal;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
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
      String id = Traffic.webhook(node, standIn);

      holder.setAutoCommit(true);
      try (Statement sql = holder.createStatement()) {
        sql.execute("SELECT pg_advisory_lock(" + HOLD + ")");
        sql.execute("CREATE FUNCTION hold_attempt_write() RETURNS trigger LANGUAGE plpgsql AS $$"
            + " BEGIN PERFORM pg_advisory_xact_lock_shared(" + HOLD + "); RETURN NEW; END $$");
        sql.execute("CREATE TRIGGER hold_attempt_write BEFORE INSERT ON event_journal FOR EACH ROW"
            + " WHEN (NEW.persistence_id = 'Destination|" + id + "' AND NEW.event_ser_manifest LIKE '%$AttemptRecorded')"
            + " EXECUTE FUNCTION hold_attempt_write()");
      }
      List<ObjectNode> events = IntStream.range(0, 3).mapToObj(i -> Traffic.track("Order Completed", "u-" + i)).toList();
      assertEquals(3, Traffic.accept(node, id, events).queued());

      // The first answer is in, its attempt's write waits: the second request goes meanwhile.
      await("a second request while the first attempt's write is held", Duration.ofSeconds(10),
          () -> standIn.received().size() == 2);
      // Nothing more: one request's answer waits for the journal, the other's behind that write.
      Thread.sleep(1000);
      assertEquals(2, standIn.received().size(), "requests while one answered attempt is unjournaled and one in flight");

      try (Statement sql = holder.createStatement()) {
        sql.execute("SELECT pg_advisory_unlock(" + HOLD + ")");
      }
      await("all three journaled as delivered", Duration.ofSeconds(20), () -> delivered(node, id) == 3);
      List<String> received = standIn.received().stream().map(r -> messageId(r.body())).sorted().toList();
      assertEquals(events.stream().map(e -> e.path("messageId").asText()).sorted().toList(), received, "each event sent once");
      assertEquals(3, Journal.eventsOf(node.node(), id, AttemptRecorded.class).size(), "every attempt recorded");
    }
  }

  private static String messageId(String body) {
    try {
      return TestNode.json().readTree(body).path("messageId").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long delivered(TestNode node, String destinationId) {
    return Journal.eventsOf(node.node(), destinationId, AttemptRecorded.class).stream()
        .flatMap(a -> a.items().stream())
        .filter(o -> o.outcome() == Outcome.DELIVERED)
        .count();
  }
}
