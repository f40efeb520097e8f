package dev.relay.readside;

import static dev.relay.readside.Traffic.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.relay.testing.Backend;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.TestNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journal bytes of retries on PostgreSQL: 20 actions to a destination answering 503, retried 5
 * times each. Prints the figures; fails only if retries journal as many bytes as first attempts.
 */
class AttemptBodyJournalBytesOnPostgresTest {

  private static final int ACTIONS = 20;
  private static final int ATTEMPTS = 6; // the first and 5 retries

  @TempDir Path dataDir;

  @Test
  void retriesOfTheSameBodyJournalFarFewerBytesThanFirstAttempts() throws Exception {
    try (Backend.Storage storage = Backend.POSTGRES.open(dataDir);
        TestNode node = TestNode.start(storage, ConfigFactory.parseMap(Map.of(
            "relay.delivery.retry.base-delay", "50ms", "relay.delivery.retry.jitter", "0")));
        StandInDestination standIn = StandInDestination.start()) {
      standIn.alwaysAnswer(Answer.status(503));
      String id = Traffic.webhook(node, standIn);
      List<ObjectNode> events = new ArrayList<>();
      for (int i = 0; i < ACTIONS; i++) {
        ObjectNode event = Traffic.track("Order Completed", "user-" + i);
        event.with("properties").put("note", "x".repeat(900)); // a body of about 1.3 KB
        events.add(event);
      }
      Traffic.accept(node, id, events);
      String sql = "SELECT event_payload FROM event_journal WHERE event_ser_manifest LIKE '%AttemptRecorded%'"
          + " ORDER BY ordering";
      List<Integer> sizes = new ArrayList<>();
      await("attempts", Duration.ofSeconds(60), () -> {
        sizes.clear();
        try (Connection c = storage.postgres().connect(); Statement s = c.createStatement();
            ResultSet rows = s.executeQuery(sql)) {
          while (rows.next()) {
            sizes.add(rows.getBytes(1).length);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        return sizes.size() >= ACTIONS * ATTEMPTS;
      });
      standIn.alwaysAnswer(Answer.status(200));
      // The first attempts carry the body: the largest rows (retries may interleave with them).
      List<Integer> counted = new ArrayList<>(sizes.subList(0, ACTIONS * ATTEMPTS));
      counted.sort(java.util.Comparator.reverseOrder());
      long first = counted.subList(0, ACTIONS).stream().mapToLong(Integer::longValue).sum();
      long retries = counted.subList(ACTIONS, counted.size()).stream().mapToLong(Integer::longValue).sum();
      long total = first + retries;
      long before = first * ATTEMPTS; // every retry as large as the first attempt, as before
      System.out.printf("MEASURE %d actions x %d attempts: AttemptRecorded bytes %d (first attempts %d, retries %d);"
          + " with the body on every attempt about %d%n", ACTIONS, ATTEMPTS, total, first, retries, before);
      assertTrue(retries < first * (ATTEMPTS - 1) / 2, "retries journal their body again: " + retries);
    }
  }
}
