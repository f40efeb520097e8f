package dev.relay.readside;

import static dev.relay.readside.Traffic.await;
import static dev.relay.readside.Traffic.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.destination.DestinationTags;
import dev.relay.testing.Backend;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal projection on a real node: every action, attempt and counter the journal implies
 * reaches the query tables exactly once, across restarts and rebuilds. One node per class.
 */
abstract class ActionLogProjectionTest {

  private static final Duration PROJECTED = Duration.ofSeconds(20);
  private static final Config NODE =
      ConfigFactory.parseMap(
          Map.of(
              "relay.delivery.retry.base-delay", "50ms",
              "relay.delivery.retry.jitter", "0"));

  @TempDir static Path dataDir;
  static Backend.Storage storage;
  static TestNode node;

  static void startNode(Backend backend) {
    storage = backend.open(dataDir);
    node = TestNode.start(storage, NODE);
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
    if (storage != null) {
      storage.close();
    }
  }

  @Test
  void actionsAttemptsAndOutcomesAreProjectedWithRedactedRequests() {
    try (StandInDestination standIn = StandInDestination.start()) {
      standIn.thenAnswer(Answer.status(500), Answer.status(200));
      String id = Traffic.webhook(node, standIn);
      ObjectNode event = Traffic.track("Order Completed", "user-1");
      Traffic.accept(node, id, List.of(event));

      JsonNode item = awaitItem(id, event, "delivered");
      assertEquals("Order Completed", item.path("event").asText());
      assertEquals("track", item.path("eventType").asText());
      assertEquals("user-1", item.path("userId").asText());
      assertEquals("Send", item.path("action").asText());
      assertEquals(2, item.path("attempts").asInt());
      assertEquals(200, item.path("lastStatus").asInt());
      assertTrue(item.path("lastError").isNull());
      assertTrue(item.path("nextAttemptAt").isNull());
      assertFalse(item.path("test").asBoolean());

      JsonNode detail = get(node, "/api/destinations/" + id + "/journal/" + item.path("id").asText());
      assertEquals(event.path("messageId"), detail.path("event").path("messageId"));
      assertEquals("Order Completed", detail.path("eventName").asText());
      JsonNode log = detail.path("attemptLog");
      assertEquals(2, log.size(), log.toString());
      assertEquals(1, log.get(0).path("attempt").asInt());
      assertEquals("retry", log.get(0).path("outcome").asText());
      assertEquals(500, log.get(0).path("response").path("status").asInt());
      assertNotNull(log.get(0).path("nextAttemptAt").textValue());
      assertEquals(2, log.get(1).path("attempt").asInt());
      assertEquals("delivered", log.get(1).path("outcome").asText());
      assertEquals("POST", log.get(1).path("request").path("method").asText());
      assertEquals(standIn.url("/hook"), log.get(1).path("request").path("url").asText());
      assertTrue(log.get(1).path("request").path("body").asText().contains(event.path("messageId").asText()));
      assertFalse(detail.toString().contains(Traffic.SECRET), "the secret header is redacted: " + detail);
      assertTrue(log.get(1).path("at").asText().endsWith("Z"));

      standIn.alwaysAnswer(Answer.status(400));
      ObjectNode refused = Traffic.identify("user-2");
      Traffic.accept(node, id, List.of(refused));
      JsonNode failed = awaitItem(id, refused, "failed");
      assertEquals(1, failed.path("attempts").asInt());
      assertEquals(400, failed.path("lastStatus").asInt());
      assertTrue(failed.path("lastError").asText().contains("400"), failed.toString());
    }
  }

  @Test
  void everyAttemptShowsItsRequestBodyThoughRetriesJournalItOnce() {
    try (StandInDestination standIn = StandInDestination.start()) {
      standIn.thenAnswer(Answer.status(503), Answer.status(503), Answer.status(503), Answer.status(200));
      String id = Traffic.webhook(node, standIn);
      ObjectNode event = Traffic.track("Retried Often", "user-3");
      Traffic.accept(node, id, List.of(event));

      JsonNode item = awaitItem(id, event, "delivered");
      assertEquals(4, item.path("attempts").asInt());
      JsonNode log = get(node, "/api/destinations/" + id + "/journal/" + item.path("id").asText()).path("attemptLog");
      assertEquals(4, log.size(), log.toString());
      String first = log.get(0).path("request").path("body").asText();
      assertTrue(first.contains(event.path("messageId").asText()), first);
      for (int i = 1; i < 4; i++) {
        assertEquals(first, log.get(i).path("request").path("body").asText(), "attempt " + (i + 1) + " shows the body sent");
      }
    }
  }

  @Test
  void aBatchRequestIsOneAttemptInTheLogOfEachActionItCarried() {
    try (StandInDestination standIn = StandInDestination.start()) {
      String id = Traffic.webhook(node, standIn, Map.of("batchSize", 10));
      List<ObjectNode> events = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        events.add(Traffic.page("Pricing", "user-" + i));
      }
      Traffic.accept(node, id, events);
      standIn.awaitRequests(1, PROJECTED);
      List<String> bodies = new ArrayList<>();
      for (ObjectNode event : events) {
        JsonNode item = awaitItem(id, event, "delivered");
        JsonNode log = get(node, "/api/destinations/" + id + "/journal/" + item.path("id").asText()).path("attemptLog");
        assertEquals(1, log.size());
        assertEquals(5, log.get(0).path("requestItems").asInt());
        bodies.add(log.get(0).path("request").path("body").asText());
      }
      assertEquals(1, bodies.stream().distinct().count(), "one request for all five");
      events.forEach(e -> assertTrue(bodies.get(0).contains(e.path("messageId").asText())));
      assertEquals(1, ReadSideTables.count(node, "SELECT COUNT(*) FROM journal_attempt WHERE destination_id = ?", id));
    }
  }

  @Test
  void actionsGivenUpWhenTheirActionIsDisabledShowAsDiscarded() {
    try (StandInDestination standIn = StandInDestination.start()) {
      standIn.alwaysAnswer(Answer.status(503));
      String id = Traffic.webhook(node, standIn);
      ObjectNode event = Traffic.track("Signed Up", "user-3");
      Traffic.accept(node, id, List.of(event));
      JsonNode retrying = awaitItem(id, event, "retrying");
      assertNotNull(retrying.path("nextAttemptAt").textValue());
      assertEquals(503, retrying.path("lastStatus").asInt());

      String actionId = retrying.path("actionId").asText();
      TestNode.Answer disabled =
          node.admin("PATCH", "/api/destinations/" + id + "/actions/" + actionId, Map.of("enabled", false));
      assertEquals(200, disabled.status(), disabled.body());
      JsonNode discarded = awaitItem(id, event, "discarded");
      assertTrue(discarded.path("nextAttemptAt").isNull());
      JsonNode totals = totals(id);
      assertEquals(List.of(1L, 0L, 0L, 1L), List.of(totals.path("queued").asLong(), totals.path("delivered").asLong(),
          totals.path("failed").asLong(), totals.path("discarded").asLong()), totals.toString());
    }
  }

  @Test
  void overviewTotalsAndSeriesCountWhatTheDestinationAnswered() {
    try (StandInDestination standIn = StandInDestination.start()) {
      // One request per action. Of these answers 400 and 422 fail an action for good; 500, 429 and
      // 503 are retried, and every retry (the fallback) is a 200. Whichever action gets which
      // answer: 30 queued, 28 delivered, 2 failed, 3 retries, 33 attempts.
      standIn.thenAnswer(
          Answer.status(200), Answer.status(500), Answer.status(429), Answer.status(400), Answer.status(200),
          Answer.status(503), Answer.status(422), Answer.status(200));
      String id = Traffic.webhook(node, standIn);
      for (int i = 0; i < 30; i++) {
        Traffic.accept(node, id, List.of(i % 3 == 0 ? Traffic.identify("u" + i) : Traffic.track("Clicked", "u" + i)));
      }
      standIn.awaitRequests(33, PROJECTED);
      await("every action delivered or failed", PROJECTED, () -> {
        JsonNode totals = totals(id);
        return totals.path("delivered").asLong() + totals.path("failed").asLong() == 30;
      });
      JsonNode overview = get(node, "/api/destinations/" + id + "/overview");
      JsonNode totals = overview.path("totals");
      assertEquals(30, totals.path("queued").asLong(), totals.toString());
      assertEquals(28, totals.path("delivered").asLong(), totals.toString());
      assertEquals(2, totals.path("failed").asLong(), totals.toString());
      assertEquals(3, totals.path("retrying").asLong(), totals.toString());
      assertEquals(0, totals.path("discarded").asLong(), totals.toString());
      assertEquals(1, totals.path("throttled").asLong(), "the one 429: " + totals);
      assertEquals(33, standIn.received().size(), "no request beyond the 30 first attempts and 3 retries");
      assertEquals(33, ReadSideTables.count(node, "SELECT COUNT(*) FROM journal_attempt WHERE destination_id = ?", id));

      long delivered = 0, failed = 0, retried = 0, throttled = 0;
      for (JsonNode point : overview.path("series")) {
        delivered += point.path("delivered").asLong();
        failed += point.path("failed").asLong();
        retried += point.path("retried").asLong();
        throttled += point.path("throttled").asLong();
      }
      assertEquals(List.of(28L, 2L, 3L, 1L), List.of(delivered, failed, retried, throttled), "the series adds up to the same: " + overview);
      assertEquals("1h", overview.path("interval").asText());
      JsonNode latency = overview.path("latencyMs");
      assertTrue(latency.path("p50").asLong() <= latency.path("p95").asLong());
      assertTrue(latency.path("p95").asLong() <= latency.path("p99").asLong());
    }
  }

  @Test
  void restartingTheNodeMidStreamLosesAndDoublesNothing() throws Exception {
    int total = 1_500;
    try (StandInDestination standIn = StandInDestination.start()) {
      // Slow answers keep attempts in flight, and their outcomes unprojected, when the node stops.
      standIn.alwaysAnswer(Answer.status(200).after(Duration.ofMillis(150)));
      String id = Traffic.webhook(node, standIn, Map.of("batchSize", 10));
      List<CompletableFuture<?>> accepted = new ArrayList<>();
      for (int batch = 0; batch < total / 50; batch++) {
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          events.add(Traffic.track("Viewed", "user-" + i));
        }
        accepted.add(CompletableFuture.runAsync(() -> Traffic.accept(node, id, events)));
      }
      CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).get();
      long deliveredAtStop = delivered(id);
      assertTrue(deliveredAtStop < total, "the node stops mid-stream, " + deliveredAtStop + " delivered");

      node.close();
      node = TestNode.start(storage, NODE);

      await("all " + total + " delivered after the restart", Duration.ofSeconds(60), () -> delivered(id) == total);
      assertEquals(total, acceptedMessageIds(standIn).size(), "the destination took every event");
      ActionLogCounts journal = ActionLogCounts.of(node, id);
      assertEquals(total, journal.queued());
      // Every action went out at least once; attempts in flight at the stop were made again.
      assertTrue(journal.attemptItems() >= total, journal.toString());
      assertEquals(total, ReadSideTables.count(node, "SELECT COUNT(*) FROM journal_item WHERE destination_id = ?", id));
      assertEquals(journal.attempts(), ReadSideTables.count(node, "SELECT COUNT(*) FROM journal_attempt WHERE destination_id = ?", id));
      assertEquals(
          journal.attemptItems(),
          ReadSideTables.count(
              node,
              "SELECT COUNT(*) FROM journal_attempt_item ai JOIN journal_attempt a ON a.attempt_id = ai.attempt_id"
                  + " WHERE a.destination_id = ?",
              id));
      JsonNode totals = totals(id);
      assertEquals(total, totals.path("queued").asLong());
      assertEquals(total, totals.path("delivered").asLong());
      assertEquals(0, totals.path("failed").asLong());
      assertEquals(0, totals.path("retrying").asLong());
    }
  }

  /** The messageIds in the bodies the stand-in answered with a 2xx. */
  private static java.util.Set<String> acceptedMessageIds(StandInDestination standIn) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (StandInDestination.Received request : standIn.accepted()) {
      try {
        ids.addAll(TestNode.json().readTree(request.body()).findValuesAsText("messageId"));
      } catch (java.io.IOException e) {
        throw new AssertionError(request.body(), e);
      }
    }
    return ids;
  }

  @Test
  void rebuildEmptiesTheTablesAndReplaysTheJournalIntoTheSameRows() {
    try (StandInDestination standIn = StandInDestination.start()) {
      standIn.thenAnswer(Answer.status(500), Answer.status(200));
      String id = Traffic.webhook(node, standIn);
      List<ObjectNode> events = List.of(Traffic.track("Rebuilt", "u1"), Traffic.identify("u2"));
      Traffic.accept(node, id, events);
      events.forEach(e -> awaitItem(id, e, "delivered"));
      // Delivered actions never change again: these rows are final.
      List<String> before = ReadSideTables.dump(node, id);
      assertTrue(before.size() > 8, before.toString());

      // Damage the tables: a rebuild must restore them from the journal alone.
      ReadSideTables.execute(node, "UPDATE journal_item_state SET status = 'failed', attempts = 0 WHERE destination_id = '" + id + "'");
      ReadSideTables.execute(node, "DELETE FROM journal_minute WHERE destination_id = '" + id + "'");
      ReadSideTables.execute(node, "DELETE FROM journal_attempt WHERE destination_id = '" + id + "'");
      TestNode.Answer rebuild = node.admin("POST", "/api/read-side/rebuild");
      assertEquals(202, rebuild.status(), rebuild.body());

      await("the tables rebuilt as they were", Duration.ofSeconds(60), () -> ReadSideTables.dump(node, id).equals(before));
      assertEquals(2, get(node, "/api/destinations/" + id + "/journal").path("items").size());
    }
  }

  @Test
  void eventsByTagReadsATagsEventsAfterAnOffsetInJournalOrder() throws Exception {
    try (StandInDestination standIn = StandInDestination.start()) {
      String id = Traffic.webhook(node, standIn);
      for (int i = 0; i < 5; i++) {
        Traffic.accept(node, id, List.of(Traffic.track("Tagged", "u" + i)));
      }
      await("all delivered, so the journal stands still", PROJECTED, () -> totals(id).path("delivered").asLong() == 5);
      var system = node.node().system();
      var journal =
          org.apache.pekko.persistence.query.PersistenceQuery.get(system)
              .getReadJournalFor(
                  org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal.class,
                  org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal.Identifier());
      String tag = new DestinationTags(4).of(id);
      List<Long> ofDestination =
          journal.currentEventsByPersistenceId("Destination|" + id, 0, Long.MAX_VALUE)
              .map(e -> ((org.apache.pekko.persistence.query.Sequence) e.offset()).value())
              .runWith(org.apache.pekko.stream.javadsl.Sink.seq(), system)
              .toCompletableFuture().get();
      long after = ofDestination.get(2);
      List<Long> tagged =
          journal.currentEventsByTag(tag, org.apache.pekko.persistence.query.Offset.sequence(after))
              .filter(e -> e.persistenceId().equals("Destination|" + id))
              .map(e -> ((org.apache.pekko.persistence.query.Sequence) e.offset()).value())
              .runWith(org.apache.pekko.stream.javadsl.Sink.seq(), system)
              .toCompletableFuture().get();
      assertEquals(ofDestination.subList(3, ofDestination.size()), tagged, "after the offset, in order, nothing else");
    }
  }

  private long delivered(String id) {
    return ReadSideTables.count(
        node, "SELECT COUNT(*) FROM journal_item_state WHERE destination_id = ? AND status = 'delivered'", id);
  }

  private static JsonNode totals(String id) {
    return get(node, "/api/destinations/" + id + "/overview").path("totals");
  }

  /** The journal item of {@code event}, once it has {@code status}. */
  private static JsonNode awaitItem(String id, ObjectNode event, String status) {
    String path = "/api/destinations/" + id + "/journal?messageId=" + event.path("messageId").asText();
    JsonNode[] found = new JsonNode[1];
    await(
        event.path("messageId").asText() + " " + status,
        PROJECTED,
        () -> {
          JsonNode items = get(node, path).path("items");
          found[0] = items.size() == 1 ? items.get(0) : null;
          return found[0] != null && found[0].path("status").asText().equals(status);
        });
    return found[0];
  }
}
