package dev.relay.readside;

import static dev.relay.readside.Traffic.await;
import static dev.relay.readside.Traffic.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.relay.testing.Backend;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The action journal, overview and tester API over HTTP: filters, paging, refusals, and the tester
 * against a stand-in destination. One node and one varied destination per class.
 */
abstract class JournalApiTest {

  private static final Duration PROJECTED = Duration.ofSeconds(20);

  @TempDir static Path dataDir;
  static Backend.Storage storage;
  static TestNode node;
  static StandInDestination standIn;
  /** A destination with delivered, failed and retrying actions of several types, users and names. */
  static String varied;

  static void start(Backend backend) {
    storage = backend.open(dataDir);
    // Retries an hour away: a retrying action stays retrying for the whole class.
    node = TestNode.start(storage, ConfigFactory.parseMap(Map.of("relay.delivery.retry.base-delay", "1h")));
    standIn = StandInDestination.start();
    varied = Traffic.webhook(node, standIn);
    for (int i = 0; i < 3; i++) {
      accept(varied, Traffic.track("Order Completed", "alice"));
    }
    accept(varied, Traffic.track("Clicked", "bob"), Traffic.track("Clicked", "bob"));
    accept(varied, Traffic.page("Pricing", "alice"), Traffic.page("Pricing", "alice"));
    accept(varied, Traffic.identify("carol"));
    awaitCount(varied, "status=delivered", 8);
    standIn.alwaysAnswer(Answer.status(400));
    accept(varied, Traffic.identify("dave"), Traffic.identify("dave"));
    awaitCount(varied, "status=failed", 2);
    standIn.alwaysAnswer(Answer.status(503));
    accept(varied, Traffic.track("Retry Me", "erin"));
    awaitCount(varied, "status=retrying", 1);
    standIn.alwaysAnswer(Answer.status(200));
  }

  @AfterAll
  static void stop() {
    if (standIn != null) {
      standIn.close();
    }
    if (node != null) {
      node.close();
    }
    if (storage != null) {
      storage.close();
    }
  }

  @Test
  void eachFilterSelectsExactlyTheMatchingActionsNewestFirst() {
    List<JsonNode> all = items(varied, "limit=500");
    assertEquals(11, all.size());
    for (int i = 1; i < all.size(); i++) {
      assertTrue(all.get(i - 1).path("queuedAt").asText().compareTo(all.get(i).path("queuedAt").asText()) >= 0);
    }
    String middle = all.get(5).path("queuedAt").asText();
    String someMessage = all.get(3).path("messageId").asText();
    Map<String, Predicate<JsonNode>> filters = new LinkedHashMap<>();
    filters.put("status=delivered", i -> i.path("status").asText().equals("delivered"));
    filters.put("status=failed", i -> i.path("status").asText().equals("failed"));
    filters.put("status=retrying", i -> i.path("status").asText().equals("retrying"));
    filters.put("status=queued", i -> false);
    filters.put("eventType=page", i -> i.path("eventType").asText().equals("page"));
    filters.put("eventType=track", i -> i.path("eventType").asText().equals("track"));
    filters.put("event=Clicked", i -> i.path("event").asText().equals("Clicked"));
    filters.put("event=Pricing", i -> i.path("event").asText().equals("Pricing"));
    filters.put("userId=alice", i -> i.path("userId").asText().equals("alice"));
    filters.put("messageId=" + someMessage, i -> i.path("messageId").asText().equals(someMessage));
    filters.put("from=" + middle, i -> i.path("queuedAt").asText().compareTo(middle) >= 0);
    filters.put("to=" + middle, i -> i.path("queuedAt").asText().compareTo(middle) < 0);
    filters.put("userId=alice&eventType=track&status=delivered", i -> i.path("userId").asText().equals("alice") && i.path("eventType").asText().equals("track"));
    filters.forEach(
        (query, matches) -> {
          List<String> expected = all.stream().filter(matches).map(i -> i.path("id").asText()).toList();
          List<String> actual = items(varied, query).stream().map(i -> i.path("id").asText()).toList();
          assertEquals(expected, actual, query);
        });
    assertEquals(3, items(varied, "event=Order%20Completed").size());
    assertEquals(5, items(varied, "userId=alice").size());
  }

  @Test
  void pagesFollowEachOtherWithoutGapsOrRepeatsWhileActionsAreQueued() {
    String id = Traffic.webhook(node, standIn);
    List<String> original = acceptMany(id, 120);
    awaitCount(id, "limit=500", 120);

    List<String> paged = new ArrayList<>();
    JsonNode page = get(node, "/api/destinations/" + id + "/journal?limit=50");
    paged.addAll(ids(page));
    for (int round = 0; !page.path("nextCursor").isNull(); round++) {
      assertTrue(round < 3, "three pages at most");
      acceptMany(id, 30); // newer than every page: must not show up in the pages still to come
      awaitCount(id, "limit=500", 150 + 30 * round);
      page = get(node, "/api/destinations/" + id + "/journal?limit=50&cursor=" + page.path("nextCursor").asText());
      paged.addAll(ids(page));
    }
    assertEquals(120, paged.size());
    assertEquals(120, paged.stream().distinct().count());
    List<String> newestFirst = new ArrayList<>(original);
    java.util.Collections.reverse(newestFirst);
    assertEquals(newestFirst, paged.stream().map(itemId -> messageIdOf(id, itemId)).toList());
  }

  @Test
  void badParametersAreRefusedNamingTheParameter() {
    String journal = "/api/destinations/" + varied + "/journal?";
    String overview = "/api/destinations/" + varied + "/overview?";
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put(journal + "status=lost", "status");
    refused.put(journal + "eventType=click", "eventType");
    refused.put(journal + "limit=0", "limit");
    refused.put(journal + "limit=501", "limit");
    refused.put(journal + "limit=ten", "limit");
    refused.put(journal + "from=yesterday", "from");
    refused.put(journal + "to=2025-13-01T00:00:00Z", "to");
    refused.put(journal + "from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z", "from");
    refused.put(journal + "cursor=bm90LWEtY3Vyc29y", "cursor");
    refused.put(journal + "userId=", "userId");
    refused.put(journal + "colour=blue", "colour");
    refused.put(overview + "interval=5x", "interval");
    refused.put(overview + "interval=1m&from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z", "interval");
    refused.put(overview + "from=now", "from");
    refused.forEach(
        (path, parameter) -> {
          TestNode.Answer answer = node.admin("GET", path);
          assertEquals(400, answer.status(), path);
          assertTrue(answer.json().path("error").asText().startsWith(parameter + ":"), path + " -> " + answer.body());
        });
  }

  @Test
  void anUnknownDestinationOrActionIsNotFound() {
    for (String path :
        List.of("/api/destinations/dst_nope/journal", "/api/destinations/dst_nope/overview",
            "/api/destinations/dst_nope/journal/itm_nope", "/api/destinations/" + varied + "/journal/itm_nope")) {
      TestNode.Answer answer = node.admin("GET", path);
      assertEquals(404, answer.status(), path);
      assertFalse(answer.json().path("error").asText().isEmpty());
    }
    assertEquals(404, node.admin("POST", "/api/destinations/dst_nope/test", Map.of("type", "track")).status());

    String deleted = Traffic.webhook(node, standIn);
    assertEquals(200, node.admin("GET", "/api/destinations/" + deleted + "/journal").status());
    assertEquals(200, node.admin("DELETE", "/api/destinations/" + deleted).status());
    await("a deleted destination's journal is gone", PROJECTED,
        () -> node.admin("GET", "/api/destinations/" + deleted + "/journal").status() == 404);
    // The destination list reads the directory tag through the read journal's tag-range DAO.
    String listed = get(node, "/api/destinations").toString();
    assertTrue(listed.contains(varied) && !listed.contains(deleted), listed);
    assertEquals(401, node.send("GET", "/api/destinations/" + varied + "/journal", null, Map.of()).status());
  }

  @Test
  void overviewSeriesHasOnePointPerIntervalOfTheWindow() {
    Instant now = Instant.now();
    String from = now.minus(Duration.ofMinutes(30)).toString();
    JsonNode fine = get(node, "/api/destinations/" + varied + "/overview?from=" + from);
    assertEquals("1m", fine.path("interval").asText());
    assertTrue(fine.path("series").size() >= 30 && fine.path("series").size() <= 31, fine.path("series").toString());
    JsonNode coarse = get(node, "/api/destinations/" + varied + "/overview?from=" + from + "&interval=5m");
    assertTrue(coarse.path("series").size() >= 6 && coarse.path("series").size() <= 7);
    coarse.path("series").forEach(p -> assertTrue(p.path("t").asText().matches(".*T\\d\\d:\\d[05]:00\\.000Z"), p.toString()));
    JsonNode totals = coarse.path("totals");
    assertEquals(11, totals.path("queued").asLong());
    assertEquals(8, totals.path("delivered").asLong());
    assertEquals(2, totals.path("failed").asLong());
    assertEquals(1, totals.path("retrying").asLong());
    JsonNode day = get(node, "/api/destinations/" + varied + "/overview");
    assertEquals("1h", day.path("interval").asText());
    assertEquals(totals, day.path("totals"));
    assertTrue(day.path("latencyMs").path("p99").isNumber());
  }

  @Test
  void testerSendsEveryMatchingActionForRealAndJournalsItAsTestTraffic() {
    try (StandInDestination own = StandInDestination.start()) {
      String id = Traffic.webhook(node, own);
      TestNode.Answer answer = node.admin("POST", "/api/destinations/" + id + "/test", Map.of("type", "track"));
      assertEquals(200, answer.status(), answer.body());
      JsonNode results = answer.json().path("results");
      assertEquals(1, results.size(), answer.body());
      JsonNode result = results.get(0);
      assertEquals("Send", result.path("action").asText());
      assertEquals("delivered", result.path("outcome").asText());
      assertEquals(200, result.path("response").path("status").asInt());
      assertTrue(result.path("durationMs").asLong() >= 0);
      assertTrue(result.path("request").path("body").asText().contains("Order Completed"));
      assertNotEquals(Traffic.SECRET, result.path("request").path("headers").path("Authorization").asText());
      assertFalse(answer.body().contains(Traffic.SECRET));
      String messageId = answer.json().path("event").path("messageId").asText();
      assertEquals(1, own.received().size(), "sent for real, once");
      assertTrue(own.received().get(0).body().contains(messageId));
      assertEquals(Traffic.SECRET, own.received().get(0).header("Authorization"));

      awaitCount(id, "status=delivered&messageId=" + messageId, 1);
      JsonNode item = items(id, "messageId=" + messageId).get(0);
      assertTrue(item.path("test").asBoolean());
      assertEquals("delivered", item.path("status").asText());
      JsonNode totals = get(node, "/api/destinations/" + id + "/overview").path("totals");
      assertEquals(0, totals.path("queued").asLong() + totals.path("delivered").asLong(), "test traffic is not counted");
    }
  }

  @Test
  void testerReportsAFailedAttemptOfAGivenEventAndNeverRetriesIt() {
    try (StandInDestination own = StandInDestination.start()) {
      own.alwaysAnswer(Answer.status(500));
      String id = Traffic.webhook(node, own);
      ObjectNode event = Traffic.page("Docs", "frank");
      event.remove("messageId");
      TestNode.Answer answer = node.admin("POST", "/api/destinations/" + id + "/test", Map.of("event", event));
      assertEquals(200, answer.status(), answer.body());
      JsonNode result = answer.json().path("results").get(0);
      assertEquals("failed", result.path("outcome").asText());
      assertEquals(500, result.path("response").path("status").asInt());
      String messageId = answer.json().path("event").path("messageId").asText();
      assertFalse(messageId.isEmpty(), "a messageId is filled in as ingest does");
      awaitCount(id, "status=failed&messageId=" + messageId, 1);
      JsonNode item = items(id, "messageId=" + messageId).get(0);
      assertEquals(1, item.path("attempts").asInt());
      assertNull(item.path("nextAttemptAt").textValue());
      assertEquals(1, own.received().size(), "never retried");

      assertEquals(400, node.admin("POST", "/api/destinations/" + id + "/test", Map.of("type", "click")).status());
      TestNode.Answer invalid =
          node.admin("POST", "/api/destinations/" + id + "/test", Map.of("event", Map.of("type", "track", "userId", "u")));
      assertEquals(400, invalid.status(), "a track call without event is refused as ingest refuses it");
      assertTrue(invalid.json().path("error").asText().startsWith("event"), invalid.body());
    }
  }

  @Test
  void testerAnswers429BeyondTheTestsInFlightOfADestinationAndSendsNothingMore() throws Exception {
    try (StandInDestination own = StandInDestination.start()) {
      own.alwaysAnswer(Answer.status(200).after(Duration.ofSeconds(2)));
      String id = Traffic.webhook(node, own);
      String test = "/api/destinations/" + id + "/test";
      int bound = node.node().settings().delivery().maxTestsInFlight();
      java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(bound);
      try {
        List<java.util.concurrent.Future<TestNode.Answer>> running = new ArrayList<>();
        for (int i = 0; i < bound; i++) {
          running.add(callers.submit(() -> node.admin("POST", test, Map.of("type", "track"))));
        }
        own.awaitRequests(bound, Duration.ofSeconds(10));

        TestNode.Answer refused = node.admin("POST", test, Map.of("type", "track"));
        assertEquals(429, refused.status(), refused.body());
        assertTrue(refused.json().path("error").asText().contains("relay.delivery.max-tests-in-flight"), refused.body());
        assertEquals(bound, own.received().size(), "the refused test sent nothing");

        for (java.util.concurrent.Future<TestNode.Answer> call : running) {
          TestNode.Answer answer = call.get(30, java.util.concurrent.TimeUnit.SECONDS);
          assertEquals(200, answer.status(), answer.body());
          assertEquals("delivered", answer.json().path("results").get(0).path("outcome").asText());
        }
        own.alwaysAnswer(Answer.status(200));
        assertEquals(200, node.admin("POST", test, Map.of("type", "track")).status(), "free again once they finished");
      } finally {
        callers.shutdownNow();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static void accept(String id, ObjectNode... events) {
    Traffic.accept(node, id, List.of(events));
  }

  /** Queues {@code count} events one by one; returns their messageIds in order. */
  private static List<String> acceptMany(String id, int count) {
    List<String> messageIds = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ObjectNode event = Traffic.track("Paged", "pager");
      messageIds.add(event.path("messageId").asText());
      accept(id, event);
    }
    return messageIds;
  }

  private static List<JsonNode> items(String id, String query) {
    List<JsonNode> items = new ArrayList<>();
    get(node, "/api/destinations/" + id + "/journal?" + query).path("items").forEach(items::add);
    return items;
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.path("items").forEach(i -> ids.add(i.path("id").asText()));
    return ids;
  }

  private static String messageIdOf(String id, String itemId) {
    return get(node, "/api/destinations/" + id + "/journal/" + URLEncoder.encode(itemId, StandardCharsets.UTF_8))
        .path("messageId").asText();
  }

  private static void awaitCount(String id, String query, int count) {
    await(count + " items for " + query, PROJECTED, () -> items(id, query).size() == count);
  }

  @Test
  void theListOfDestinationsIsTheReadSidesAndShowsWhatEachDestinationShows() {
    String id = Traffic.webhook(node, standIn);
    TestNode.Answer patched = node.admin("PATCH", "/api/destinations/" + id + "/settings", Map.of("batchSize", 7));
    assertEquals(200, patched.status(), patched.body());
    String gone = Traffic.webhook(node, standIn);
    assertEquals(200, node.admin("DELETE", "/api/destinations/" + gone).status());
    await(
        "the read side to keep the patched configuration",
        PROJECTED,
        () -> ReadSideTables.count(
                node, "SELECT COUNT(*) FROM journal_destination WHERE destination_id = ? AND config_json LIKE '%\"batchSize\":7%'", id)
            == 1);

    JsonNode shown = get(node, "/api/destinations/" + id);
    assertEquals(7, shown.path("settings").path("batchSize").asInt());
    assertEquals(shown, listed(id), "listed from the read side as the destination itself shows it (secrets masked)");
    assertEquals(List.of(), listedIds().stream().filter(gone::equals).toList(), "a deleted destination is not listed");

    // A row projected by a version that kept no configuration: that destination is asked instead.
    ReadSideTables.execute(node, "UPDATE journal_destination SET config_json = NULL WHERE destination_id = '" + id + "'");
    assertEquals(shown, listed(id));
  }

  private static JsonNode listed(String id) {
    for (JsonNode destination : get(node, "/api/destinations")) {
      if (destination.path("id").asText().equals(id)) {
        return destination;
      }
    }
    throw new AssertionError(id + " is not listed");
  }

  private static List<String> listedIds() {
    List<String> ids = new ArrayList<>();
    get(node, "/api/destinations").forEach(destination -> ids.add(destination.path("id").asText()));
    return ids;
  }

}
