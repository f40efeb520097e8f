package dev.relay.destination;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.catalog.Outcome;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.testing.EndlessResponder;
import dev.relay.testing.Journal;
import dev.relay.testing.NodePerClass;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/**
 * Delivery through a real node to a real HTTP destination on loopback that fails on demand. Runs on
 * H2 and on PostgreSQL (see the subclasses).
 */
abstract class DeliveryIntegrationTest extends NodePerClass {

  @Override
  protected Config nodeConfig() {
    return ConfigFactory.parseMap(
        Map.of("relay.delivery.retry.base-delay", "200ms", "relay.delivery.retry.jitter", 0.0));
  }

  static final Duration WAIT = Duration.ofSeconds(20);







  // --- helpers -----------------------------------------------------------------------------

  String createWebhook(Map<String, Object> settings) {
    TestNode.Answer created =
        node.admin("POST", "/api/destinations", Map.of("name", "hook", "type", "webhook", "settings", settings));
    assertEquals(201, created.status(), created.body());
    return created.json().path("id").asText();
  }

  void accept(String destinationId, int count) {
    accept(destinationId, count, "m");
  }

  void accept(String destinationId, int count, String prefix) {
    List<ObjectNode> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(
          TestNode.json()
              .createObjectNode()
              .put("type", "track")
              .put("event", "Order Completed")
              .put("userId", "u-" + i)
              .put("messageId", destinationId + "-" + prefix + "-" + i));
    }
    try {
      DestinationReply.Accepted accepted =
          ClusterSharding.get(node.node().system())
              .entityRefFor(DestinationEntity.TYPE_KEY, destinationId)
              .<DestinationReply.Accepted>askWithStatus(
                  replyTo -> new DestinationCommand.Accept(events.stream().map(e -> new DestinationCommand.Incoming("src_it", e)).toList(), replyTo), Duration.ofSeconds(10))
              .toCompletableFuture()
              .get(15, TimeUnit.SECONDS);
      assertEquals(count, accepted.queued());
    } catch (Exception e) {
      throw new AssertionError("accept failed", e);
    }
  }

  List<ItemOutcome> outcomes(String destinationId) {
    return attempts(destinationId).stream().flatMap(a -> a.items().stream()).toList();
  }

  List<AttemptRecorded> attempts(String destinationId) {
    return Journal.eventsOf(node.node(), destinationId, AttemptRecorded.class);
  }

  long delivered(String destinationId) {
    return outcomes(destinationId).stream().filter(o -> o.outcome() == Outcome.DELIVERED).count();
  }

  // --- tests -------------------------------------------------------------------------------

  @Test
  void everyAcceptedEventReachesTheDestinationAsTheJournalSays() {
    String id = createWebhook(Map.of("url", standIn.url("/events")));
    accept(id, 25);
    await(WAIT, "25 deliveries journaled", () -> delivered(id) == 25);
    assertEquals(25, standIn.received().size());
    List<String> received =
        standIn.received().stream().map(r -> readJson(r.body()).path("messageId").asText()).sorted().toList();
    List<String> journaled =
        attempts(id).stream().map(a -> readJson(a.request().body()).path("messageId").asText()).sorted().toList();
    assertEquals(journaled, received);
  }

  @Test
  void everyEventIsJournaledInOrderWithItsTags() throws Exception {
    String id = createWebhook(Map.of("url", standIn.url("/events")));
    accept(id, 40);
    await(WAIT, "40 deliveries journaled", () -> delivered(id) == 40);
    List<Object> events = Journal.eventsOf(node.node(), id);
    String tag = node.node().settings().readSideTags().of(id);
    try (java.sql.Connection db = node.node().database().dataSource().getConnection();
        java.sql.PreparedStatement rows =
            db.prepareStatement(
                "SELECT j.\"sequence_number\", j.\"ordering\", (SELECT count(*) FROM \"event_tag\" t WHERE t.\"event_id\" = j.\"ordering\" AND t.\"tag\" = ?)"
                    + " FROM \"event_journal\" j WHERE j.\"persistence_id\" = ? ORDER BY j.\"sequence_number\"")) {
      rows.setString(1, tag);
      rows.setString(2, "Destination|" + id);
      long expectedSequence = 1;
      long lastOrdering = 0;
      try (java.sql.ResultSet row = rows.executeQuery()) {
        while (row.next()) {
          assertEquals(expectedSequence++, row.getLong(1), "sequence numbers without gaps");
          assertTrue(row.getLong(2) > lastOrdering, "global ordering follows the sequence");
          lastOrdering = row.getLong(2);
          assertEquals(1, row.getLong(3), "each event carries its read-side tag");
        }
      }
      assertEquals(events.size(), expectedSequence - 1, "every event of the entity is a row");
    }
  }

  @Test
  void aFailingDestinationIsRetriedUntilItAcceptsAndCredentialsNeverReachTheJournal() {
    standIn.thenAnswer(Answer.status(500), Answer.status(502), Answer.status(503));
    String id = createWebhook(Map.of("url", standIn.url("/h"), "headers", Map.of("Authorization", "Bearer top-secret-key")));
    accept(id, 1);
    await(WAIT, "delivery after three failures", () -> delivered(id) == 1);
    List<ItemOutcome> outcomes = outcomes(id);
    assertEquals(List.of(Outcome.RETRY, Outcome.RETRY, Outcome.RETRY, Outcome.DELIVERED), outcomes.stream().map(ItemOutcome::outcome).toList());
    assertEquals(List.of(1, 2, 3, 4), outcomes.stream().map(ItemOutcome::attempt).toList());
    assertEquals("Bearer top-secret-key", standIn.received().get(0).header("Authorization"));
    for (Object event : Journal.eventsOf(node.node(), id)) {
      if (event instanceof AttemptRecorded attempt) {
        assertEquals("[redacted]", attempt.request().headers().get("Authorization"));
      }
    }
    // The destination's settings in the API are masked too.
    assertEquals("********", node.admin("GET", "/api/destinations/" + id).json().path("settings").path("headers").path("Authorization").asText());
  }

  @Test
  void aDefinitiveRefusalEndsTheActionAfterOneAttempt() {
    standIn.alwaysAnswer(Answer.status(400));
    String id = createWebhook(Map.of("url", standIn.url("/h")));
    accept(id, 1);
    await(WAIT, "one recorded attempt", () -> !outcomes(id).isEmpty());
    ItemOutcome outcome = outcomes(id).get(0);
    assertEquals(Outcome.FAILED, outcome.outcome());
    assertTrue(outcome.nextAttemptAt().isEmpty());
    assertEquals(400, attempts(id).get(0).responseStatus().orElseThrow());
  }

  @Test
  void retryAfterDelaysTheNextAttempt() {
    standIn.thenAnswer(Answer.status(429).withHeader("Retry-After", "1"));
    String id = createWebhook(Map.of("url", standIn.url("/h")));
    accept(id, 1);
    await(WAIT, "delivery after the rate limit", () -> delivered(id) == 1);
    List<StandInDestination.Received> received = standIn.received();
    long gap = received.get(1).atMillis() - received.get(0).atMillis();
    assertTrue(gap >= 950, "second attempt came " + gap + " ms after the first");
  }

  @Test
  void aClosedPortIsRetriedAndASettingsFixDeliversOnTheNextRetry() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String id = createWebhook(Map.of("url", "http://127.0.0.1:" + closedPort + "/h"));
    accept(id, 1);
    await(WAIT, "a failed attempt", () -> !attempts(id).isEmpty());
    AttemptRecorded failed = attempts(id).get(0);
    assertTrue(failed.error().isPresent(), "a network error is recorded");
    assertEquals(Outcome.RETRY, failed.items().get(0).outcome());

    TestNode.Answer patched = node.admin("PATCH", "/api/destinations/" + id + "/settings", Map.of("url", standIn.url("/fixed")));
    assertEquals(200, patched.status(), patched.body());
    await(WAIT, "delivery to the fixed URL", () -> delivered(id) == 1);
    assertEquals("/fixed", standIn.received().get(0).path());
  }

  @Test
  void aSlowDestinationTimesOutAndIsRetried() {
    // The answer would come only after 10 s: an attempt recorded well before that gave up on time.
    standIn.thenAnswer(Answer.status(200).after(Duration.ofSeconds(10)));
    String id = createWebhook(Map.of("url", standIn.url("/slow"), "timeoutMs", 300));
    accept(id, 1);
    await(WAIT, "delivery after a timeout", () -> delivered(id) == 1);
    AttemptRecorded first = attempts(id).get(0);
    assertEquals(Outcome.RETRY, first.items().get(0).outcome());
    assertTrue(first.error().orElse("").contains("300 ms"), first.error().toString());
    assertTrue(first.durationMs() < 5000, "gave up after " + first.durationMs() + " ms");
  }

  @Test
  void anEndlessAnswerIsCutItsConnectionDroppedAndTheAttemptRecordedAsFailed() {
    try (EndlessResponder endless = EndlessResponder.fast()) {
      String id = createWebhook(Map.of("url", endless.url("/stream"), "timeoutMs", 2000));
      accept(id, 1);
      await(WAIT, "the first attempt is journaled", () -> !attempts(id).isEmpty());
      AttemptRecorded first = attempts(id).get(0);
      assertTrue(first.error().isPresent(), "recorded as a failure: " + first);
      assertTrue(first.responseStatus().isEmpty(), "an answer that never ends is no answer: " + first);
      assertEquals(Outcome.RETRY, first.items().get(0).outcome());
      await(Duration.ofSeconds(5), "the client closes the connection", () -> endless.closedByClient() >= 1);
      // Read on, the server would write hundreds of MB a second; unread, only the socket buffers fill.
      long most = endless.mostWrittenOnOneConnection();
      System.out.println("endless answer through a node: " + first.error().get() + "; most bytes on one connection " + most);
      assertTrue(most < 16L * 1024 * 1024, "one connection carried " + most + " bytes");
      node.admin("POST", "/api/destinations/" + id + "/disable");
    }
  }

  @Test
  void urlQueryValuesAreMaskedInEveryAnswerAndTheAuditTrailButSentForReal() {
    String secret = "sk_live_q5ecret";
    String id = createWebhook(Map.of("url", standIn.url("/h?api_key=" + secret + "&region=eu")));
    String masked = standIn.url("/h?api_key=********&region=********");
    TestNode.Answer shown = node.admin("GET", "/api/destinations/" + id);
    assertEquals(masked, shown.json().path("settings").path("url").asText());
    assertFalse(node.admin("GET", "/api/destinations").body().contains(secret), "nor in the list");
    accept(id, 1);
    await(WAIT, "delivered", () -> delivered(id) == 1);
    assertEquals("/h?api_key=" + secret + "&region=eu", standIn.received().get(0).path(), "the real URL is used");
    assertEquals(masked, attempts(id).get(0).request().url(), "the journal keeps the masked URL");

    TestNode.Answer tested = node.admin("POST", "/api/destinations/" + id + "/test", Map.of("type", "track"));
    assertEquals(200, tested.status(), tested.body());
    assertEquals(masked, tested.json().path("results").get(0).path("request").path("url").asText());
    assertFalse(tested.body().contains(secret), tested.body());
    assertEquals("/h?api_key=" + secret + "&region=eu", standIn.received().get(1).path());

    String journal = "/api/destinations/" + id + "/journal";
    await(WAIT, "the delivered action in the journal API", () -> node.admin("GET", journal + "?status=delivered").json().path("items").size() == 2);
    for (JsonNode item : node.admin("GET", journal + "?status=delivered").json().path("items")) {
      TestNode.Answer detail = node.admin("GET", journal + "/" + item.path("id").asText());
      assertEquals(masked, detail.json().path("attemptLog").get(0).path("request").path("url").asText());
      assertFalse(detail.body().contains(secret), detail.body());
    }

    // Sent back as shown, the masked URL keeps the real one.
    TestNode.Answer patched = node.admin("PATCH", "/api/destinations/" + id + "/settings", Map.of("url", masked, "timeoutMs", 5000));
    assertEquals(200, patched.status(), patched.body());
    accept(id, 1, "again");
    await(WAIT, "delivered again (the test call counts as one)", () -> delivered(id) == 3);
    assertEquals("/h?api_key=" + secret + "&region=eu", standIn.received().get(2).path());
  }

  @Test
  void credentialsInTheUrlAreRefusedWhenSaved() {
    String url = standIn.url("/h").replace("://", "://user:pa55word@");
    TestNode.Answer refused = node.admin("POST", "/api/destinations", Map.of("name", "x", "type", "webhook", "settings", Map.of("url", url)));
    assertEquals(400, refused.status(), refused.body());
    assertTrue(refused.json().path("error").asText().startsWith("url: credentials in the URL are not accepted; put them in the headers setting"), refused.body());
    assertFalse(refused.body().contains("pa55word"));
    String id = createWebhook(Map.of("url", standIn.url("/h")));
    TestNode.Answer patched = node.admin("PATCH", "/api/destinations/" + id + "/settings", Map.of("url", url));
    assertEquals(400, patched.status(), patched.body());
    assertEquals(standIn.url("/h"), node.admin("GET", "/api/destinations/" + id).json().path("settings").path("url").asText());
  }

  @Test
  void headersThatCannotBeSentSafelyAreRefusedWhenSavedNamingTheHeader() {
    Map<String, String> refused = new java.util.LinkedHashMap<>();
    refused.put("X-Token", "secret-1\r\nX-Injected: yes");
    refused.put("X-Line", "secret-2\nmore");
    refused.put("X-Nul", "secret-3\u0000");
    refused.put("Bad Name", "v");
    refused.put("X-Colon:", "v");
    for (String reserved : List.of("Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer", "Proxy-Authorization")) {
      refused.put(reserved, "v");
    }
    String id = createWebhook(Map.of("url", standIn.url("/h")));
    refused.forEach(
        (name, value) -> {
          TestNode.Answer created =
              node.admin("POST", "/api/destinations", Map.of("name", "x", "type", "webhook", "settings", Map.of("url", standIn.url("/h"), "headers", Map.of(name, value))));
          assertEquals(400, created.status(), name + " -> " + created.body());
          assertTrue(created.json().path("error").asText().startsWith("headers: header '" + name + "'"), created.body());
          assertFalse(created.body().contains("secret-"), "the value is not echoed: " + created.body());
          TestNode.Answer patched = node.admin("PATCH", "/api/destinations/" + id + "/settings", Map.of("headers", Map.of(name, value)));
          assertEquals(400, patched.status(), name + " -> " + patched.body());
        });
    assertTrue(node.admin("GET", "/api/destinations/" + id).json().path("settings").path("headers").isMissingNode(), "no patch was applied");
  }

  @Test
  void adminErrorsAreJson() {
    TestNode.Answer invalid = node.admin("POST", "/api/destinations", Map.of("name", "x", "type", "webhook", "settings", Map.of("url", 5)));
    assertEquals(400, invalid.status());
    assertTrue(invalid.json().path("error").asText().contains("url"), invalid.body());
    TestNode.Answer malformed = node.admin("POST", "/api/destinations", "{not json");
    assertEquals(400, malformed.status());
    assertFalse(malformed.json().path("error").asText().isEmpty());
    assertEquals(404, node.admin("GET", "/api/destinations/dst_nope").status());
    assertEquals(404, node.admin("PATCH", "/api/destinations/dst_nope/settings", Map.of()).status());
  }

  private static JsonNode readJson(String text) {
    try {
      return TestNode.json().readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
