package dev.relay.readside;

import static dev.relay.readside.Traffic.await;
import static dev.relay.readside.Traffic.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.relay.testing.Backend;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay of failed work over HTTP, on a real node and a loopback stand-in destination: retry of one
 * action, and a redrive after a mapping fix that delivers each failed action once, with the fixed
 * mapping, while the journal keeps both attempts.
 */
abstract class ReplayTest {

  private static final Duration PROJECTED = Duration.ofSeconds(30);
  private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\":\"([^\"]+)\"");

  @TempDir static Path dataDir;
  static Backend.Storage storage;
  static TestNode node;

  static void start(Backend backend) {
    storage = backend.open(dataDir);
    // Small pages and a small pending limit, so that a redrive of a few dozen actions takes several
    // pages and waits for room between them.
    node = TestNode.start(storage, ConfigFactory.parseMap(Map.of(
        "relay.read-side.redrive.page-size", "10",
        "relay.read-side.redrive.pending-limit", "5",
        "relay.read-side.redrive.pause", "50ms")));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (storage != null) {
      storage.close();
    }
  }

  @Test
  void aRedriveAfterAMappingFixDeliversEachFailedActionOnceWithTheFixedMapping() {
    try (StandInDestination standIn = StandInDestination.start()) {
      // The destination refuses a body without "email" for good (400), and always refuses the
      // "stubborn" user: their replays fail again, and must not be replayed by the same redrive.
      standIn.answerBy(
          request -> request.body().contains("\"email\"") && !request.body().contains("stubborn")
              ? Answer.status(200) : Answer.status(400));
      String id = Traffic.webhook(node, standIn);
      String path = "/api/destinations/" + id;
      String actionId = get(node, path).path("actions").get(0).path("id").asText();
      // The bug: the trait goes out as "mail".
      setMapping(path, actionId, "mail");

      // The stubborn ones first: their replays fail while the redrive still has pages to go, and
      // sort after every original, where a redrive that followed them would meet them again.
      List<ObjectNode> events = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        events.add(Traffic.identify("stubborn-" + i));
      }
      for (int i = 0; i < 22; i++) {
        events.add(Traffic.identify("user-" + i));
      }
      for (ObjectNode event : events) {
        Traffic.accept(node, id, List.of(event));
      }
      awaitCount(id, "status=failed&limit=500", 25);
      assertEquals(0, standIn.accepted().size(), "the bug failed every action");

      setMapping(path, actionId, "email");
      TestNode.Answer redrive = node.admin("POST", path + "/redrive", Map.of("status", "failed"));
      assertEquals(202, redrive.status(), redrive.body());
      assertEquals(25, redrive.json().path("count").asInt());
      // Failures queued while the redrive runs are not its business: they come after its scope.
      Traffic.accept(node, id, List.of(Traffic.identify("stubborn-late")));

      await("exactly one replay of each failed action, finished", PROJECTED, () -> replays(id).size() == 25
          && replays(id).stream().allMatch(r -> Set.of("delivered", "failed").contains(r.path("status").asText())));
      List<JsonNode> replays = replays(id);
      assertEquals(22, replays.stream().filter(r -> r.path("status").asText().equals("delivered")).count());

      // Each original stays failed and points at its replay, which points back.
      Map<String, String> originalOf = new HashMap<>();
      replays.forEach(r -> originalOf.put(r.path("id").asText(), r.path("replayOf").asText()));
      assertEquals(25, Set.copyOf(originalOf.values()).size(), "one replay per failed action");
      for (Map.Entry<String, String> replay : originalOf.entrySet()) {
        JsonNode original = get(node, path + "/journal/" + replay.getValue());
        assertEquals("failed", original.path("status").asText());
        assertEquals(replay.getKey(), original.path("replayedAs").asText());
        assertTrue(original.path("replayOf").isNull());
        assertEquals("failed", original.path("attemptLog").get(0).path("outcome").asText());
        assertTrue(original.path("attemptLog").get(0).path("request").path("body").asText().contains("\"mail\""));
      }
      JsonNode delivered = replays.stream().filter(r -> r.path("status").asText().equals("delivered")).findFirst().orElseThrow();
      JsonNode detail = get(node, path + "/journal/" + delivered.path("id").asText());
      assertEquals(1, detail.path("attemptLog").size());
      assertEquals("delivered", detail.path("attemptLog").get(0).path("outcome").asText());
      assertTrue(detail.path("attemptLog").get(0).path("request").path("body").asText().contains("\"email\""), "the fixed mapping");

      // The destination got every good event once, with the fixed mapping, and each stubborn one
      // twice (the failed original and its failed replay), never a third time.
      Map<String, Long> sent = countByMessageId(standIn.received());
      Map<String, Long> accepted = countByMessageId(standIn.accepted());
      for (ObjectNode event : events) {
        String messageId = event.path("messageId").asText();
        boolean stubborn = event.path("userId").asText().startsWith("stubborn");
        assertEquals(stubborn ? null : (Long) 1L, accepted.get(messageId), messageId);
        assertEquals(2L, sent.get(messageId), messageId);
      }
      assertTrue(standIn.accepted().stream().allMatch(r -> r.body().contains("\"email\"")));

      // The next redrive (once this one is done) takes the failed replays, and the late failure,
      // and nothing it replayed before.
      AtomicReference<TestNode.Answer> next = new AtomicReference<>();
      await("the first redrive to end", PROJECTED, () -> {
        next.set(node.admin("POST", path + "/redrive", Map.of("status", "failed", "userId", "stubborn-0")));
        return next.get().status() != 409;
      });
      assertEquals(202, next.get().status(), next.get().body());
      assertEquals(1, next.get().json().path("count").asInt(), "only the failed replay of stubborn-0");
    }
  }

  @Test
  void oneFailedActionIsRetriedAsANewActionLinkedToIt() {
    try (StandInDestination standIn = StandInDestination.start()) {
      standIn.thenAnswer(Answer.status(400));
      String id = Traffic.webhook(node, standIn);
      String path = "/api/destinations/" + id;
      Traffic.accept(node, id, List.of(Traffic.track("Bought", "ann")));
      awaitCount(id, "status=failed", 1);
      String original = get(node, path + "/journal?status=failed").path("items").get(0).path("id").asText();

      TestNode.Answer retried = node.admin("POST", path + "/journal/" + original + "/retry");
      assertEquals(202, retried.status(), retried.body());
      String replay = retried.json().path("id").asText();
      assertEquals(original, retried.json().path("replayOf").asText());

      awaitCount(id, "status=delivered", 1);
      JsonNode delivered = get(node, path + "/journal/" + replay);
      assertEquals("delivered", delivered.path("status").asText());
      assertEquals(original, delivered.path("replayOf").asText());
      assertEquals("Bought", delivered.path("event").path("event").asText(), "the original's source event");
      JsonNode failed = get(node, path + "/journal/" + original);
      assertEquals("failed", failed.path("status").asText());
      assertEquals(replay, failed.path("replayedAs").asText());
      assertEquals(2, standIn.received().size());

      TestNode.Answer again = node.admin("POST", path + "/journal/" + original + "/retry");
      assertEquals(409, again.status(), again.body());
      assertTrue(again.json().path("error").asText().contains("retried already, as " + replay), again.body());
      TestNode.Answer notFailed = node.admin("POST", path + "/journal/" + replay + "/retry");
      assertEquals(409, notFailed.status(), notFailed.body());
      assertTrue(notFailed.json().path("error").asText().contains("only a failed or discarded action"), notFailed.body());
      TestNode.Answer unknown = node.admin("POST", path + "/journal/itm_nope/retry");
      assertEquals(404, unknown.status(), unknown.body());
      assertTrue(unknown.json().path("error").asText().contains("itm_nope"), unknown.body());
      TestNode.Answer unknownDestination = node.admin("POST", "/api/destinations/dst_nope/journal/" + original + "/retry");
      assertEquals(404, unknownDestination.status(), unknownDestination.body());
      assertEquals(2, standIn.received().size(), "refused retries sent nothing");
    }
  }

  @Test
  void aRedriveRefusesFiltersItDoesNotTake() {
    try (StandInDestination standIn = StandInDestination.start()) {
      String path = "/api/destinations/" + Traffic.webhook(node, standIn) + "/redrive";
      Map<Object, String> refusals = Map.of(
          Map.of(), "status: required",
          Map.of("status", "delivered"), "status: required, failed or discarded",
          Map.of("status", "failed", "messageId", "m"), "messageId: unknown filter",
          Map.of("status", "failed", "eventType", "nope"), "eventType: must be one of",
          Map.of("status", "failed", "from", "yesterday"), "from: 'yesterday' is not an ISO-8601",
          Map.of("status", "failed", "userId", 7), "userId: must be a string",
          List.of("failed"), "must be a JSON object");
      refusals.forEach((body, message) -> {
        TestNode.Answer refused = node.admin("POST", path, body);
        assertEquals(400, refused.status(), body + ": " + refused.body());
        assertTrue(refused.json().path("error").asText().contains(message), body + ": " + refused.body());
      });
      TestNode.Answer unknown = node.admin("POST", "/api/destinations/dst_nope/redrive", Map.of("status", "failed"));
      assertEquals(404, unknown.status(), unknown.body());
      TestNode.Answer nothing = node.admin("POST", path, Map.of("status", "discarded"));
      assertEquals(202, nothing.status(), nothing.body());
      assertEquals(0, nothing.json().path("count").asInt());
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static void setMapping(String path, String actionId, String emailField) {
    Map<String, Object> mapping = Map.of(
        "messageId", Map.of("@path", "$.messageId"),
        "userId", Map.of("@path", "$.userId"),
        emailField, Map.of("@path", "$.traits.email"));
    TestNode.Answer patched = node.admin("PATCH", path + "/actions/" + actionId, Map.of("mapping", mapping));
    assertEquals(200, patched.status(), patched.body());
  }

  private static List<JsonNode> replays(String id) {
    List<JsonNode> replays = new ArrayList<>();
    get(node, "/api/destinations/" + id + "/journal?limit=500").path("items").forEach(item -> {
      if (!item.path("replayOf").isNull()) {
        replays.add(item);
      }
    });
    return replays;
  }

  private static void awaitCount(String id, String query, int count) {
    await(count + " items for " + query, PROJECTED,
        () -> get(node, "/api/destinations/" + id + "/journal?" + query).path("items").size() == count);
  }

  private static Map<String, Long> countByMessageId(List<StandInDestination.Received> requests) {
    return requests.stream()
        .map(r -> MESSAGE_ID.matcher(r.body()))
        .filter(Matcher::find)
        .collect(Collectors.groupingBy(m -> m.group(1), Collectors.counting()));
  }
}
