package dev.relay.destination;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.catalog.Outcome;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.testing.Backend;
import dev.relay.testing.Journal;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destination's backlog in the pending table, through a real node on each database: rows written
 * with the journal, a window of 10 in memory, a drain across a restart, the cap.
 */
abstract class BacklogIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  protected abstract Backend backend();

  @TempDir Path dataDir;
  private Backend.Storage storage;
  private TestNode node;
  private StandInDestination standIn;

  private Config config(int maxPending) {
    return ConfigFactory.parseMap(Map.of(
        "relay.delivery.backlog-window", 10,
        "relay.delivery.max-in-flight", 4,
        "relay.delivery.max-pending", maxPending,
        "relay.delivery.retry.base-delay", "300ms",
        "relay.delivery.retry.jitter", 0.0));
  }

  @BeforeEach
  void start() {
    storage = backend().open(dataDir);
    standIn = StandInDestination.start();
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    standIn.close();
    storage.close();
  }

  private void startNode(int maxPending) {
    node = TestNode.start(storage, config(maxPending));
    await(Duration.ofSeconds(30), "the node is ready", () -> node.management("/ready") == 200);
  }

  @Test
  void theBacklogLivesInThePendingTableAndDrainsAcrossARestartDeliveringEachActionOnce() {
    startNode(1_000_000);
    standIn.alwaysAnswer(Answer.status(503));
    String id = createWebhook();
    int count = 300;
    ingest(id, count);
    await(WAIT, count + " pending rows, some retried",
        () -> pendingRows(id) == count && retriedRows(id) > 0);

    node.close(); // mid-drain: every row still pending, some retried
    standIn.alwaysAnswer(Answer.status(200));
    startNode(1_000_000);
    await(WAIT, "every action delivered", () -> pendingRows(id) == 0 && delivered(id).size() == count);

    Map<String, Long> deliveredPerItem =
        delivered(id).stream().collect(Collectors.groupingBy(ItemOutcome::itemId, Collectors.counting()));
    assertEquals(count, deliveredPerItem.size());
    assertTrue(deliveredPerItem.values().stream().allMatch(n -> n == 1), "each action delivered once");
    List<String> received = standIn.accepted().stream().map(r -> read(r.body()).path("messageId").asText()).toList();
    assertEquals(count, received.stream().distinct().count(), "every event reached the destination");
    // At-least-once: a request in flight at the stop may be made again, never more.
    assertTrue(received.size() <= count + 4, received.size() + " deliveries");
  }

  @Test
  void beyondMaxPendingNewActionsAreDiscardedAsBacklogFullWhileTheSourceIsAnswered() {
    startNode(5);
    standIn.alwaysAnswer(Answer.status(503));
    String id = createWebhook();
    ingest(id, 8);
    await(WAIT, "5 pending, 3 discarded in the action journal", () -> pendingRows(id) == 5
        && node.admin("GET", "/api/destinations/" + id + "/journal?status=discarded").json().path("items").size() == 3);
    JsonNode discarded = node.admin("GET", "/api/destinations/" + id + "/journal?status=discarded").json().path("items");
    discarded.forEach(item -> assertTrue(item.path("lastError").asText().contains("backlog full"), item.toString()));
  }

  @Test
  void newEventsAreTakenWhileRequestsInFlightHoldMostOfTheWindow() {
    startNode(1_000_000);
    standIn.alwaysAnswer(Answer.status(503).after(Duration.ofMillis(50)));
    // Requests of 8 actions, up to 4 at once, from a window of 10: those in flight are most of it.
    String id = createWebhook(Map.of("batchSize", 8));
    ingest(id, 0, 300);
    await(WAIT, "300 pending rows, some retried", () -> pendingRows(id) == 300 && retriedRows(id) > 0);

    // Before, each refill of the window found it low again at once (what is in flight stays in it),
    // so the entity read the table over and over with every other command waiting: this was 503.
    ingest(id, 300, 100);
    await(WAIT, "400 pending rows", () -> pendingRows(id) == 400);
  }

  // --- helpers -----------------------------------------------------------------------------

  private String createWebhook() {
    return createWebhook(Map.of());
  }

  private String createWebhook(Map<String, Object> settings) {
    Map<String, Object> all = new HashMap<>(settings);
    all.put("url", standIn.url("/events"));
    TestNode.Answer created =
        node.admin("POST", "/api/destinations", Map.of("name", "hook", "type", "webhook", "settings", all));
    assertEquals(201, created.status(), created.body());
    return created.json().path("id").asText();
  }

  /** {@code count} track events through a source connected to {@code destinationId}, 100 a request. */
  private void ingest(String destinationId, int count) {
    ingest(destinationId, 0, count);
  }

  /** Events {@code from} to {@code from + count - 1}, through a new source connected to the destination. */
  private void ingest(String destinationId, int from, int count) {
    TestNode.Answer source = node.admin("POST", "/api/sources", Map.of("name", "site", "type", "server"));
    assertEquals(201, source.status(), source.body());
    String sourceId = source.json().path("id").asText();
    String writeKey = source.json().path("writeKey").asText();
    TestNode.Answer connected = node.admin("PUT", "/api/destinations/" + destinationId + "/sources/" + sourceId);
    assertTrue(connected.status() / 100 == 2, connected.body());
    String auth = "Basic " + java.util.Base64.getEncoder().encodeToString((writeKey + ":").getBytes());
    for (int first = from; first < from + count; first += 100) {
      List<Map<String, Object>> batch = new ArrayList<>();
      for (int i = first; i < Math.min(from + count, first + 100); i++) {
        batch.add(Map.of("type", "track", "event", "Order Completed", "userId", "u-" + i, "messageId", "m-" + i));
      }
      TestNode.Answer answer = node.send("POST", "/v1/batch", Map.of("batch", batch), Map.of("Authorization", auth));
      assertEquals(200, answer.status(), answer.body());
    }
  }

  private List<ItemOutcome> delivered(String destinationId) {
    return Journal.eventsOf(node.node(), destinationId, AttemptRecorded.class).stream()
        .flatMap(a -> a.items().stream())
        .filter(o -> o.outcome() == Outcome.DELIVERED)
        .toList();
  }

  private long pendingRows(String destinationId) {
    return count("SELECT COUNT(*) FROM \"relay_pending\" WHERE \"destination_id\" = ?", destinationId);
  }

  private long retriedRows(String destinationId) {
    return count("SELECT COUNT(*) FROM \"relay_pending\" WHERE \"destination_id\" = ? AND \"attempts\" > 0", destinationId);
  }

  private long count(String sql, String destinationId) {
    return node.count(sql, destinationId);
  }

  private static JsonNode read(String body) {
    try {
      return TestNode.json().readTree(body);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
