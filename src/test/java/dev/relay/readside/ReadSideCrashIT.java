package dev.relay.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.testing.PostgresDatabase;
import dev.relay.testing.RelayProcess;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.StandInDestination;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The read side's exactly-once promise under a crash: a real node ({@code java -jar}) on PostgreSQL
 * is killed with SIGKILL while its projection is writing, then started again. Every figure expected
 * afterwards follows from what this test sent and how the stand-ins answered: {@value #EVENTS}
 * events to a destination that accepts everything (one event per request) and to one that refuses
 * everything with a 400. Each action has exactly one final attempt, so the journal and the action
 * log must show exactly {@value #EVENTS} items and {@value #EVENTS} attempts per destination, with
 * nothing lost and nothing counted twice by the restart, whatever the crash interrupted.
 */
class ReadSideCrashIT {

  private static final int EVENTS = 600;
  private static final int PER_REQUEST = 20;
  private static final String ADMIN_TOKEN = "read-side-crash-it-admin-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Path logs = Path.of("target", "read-side-crash-it").toAbsolutePath();

  @Test
  void aNodeKilledWhileItsProjectionWritesLosesAndDoublesNothingInTheActionLog() throws Exception {
    Files.createDirectories(logs);
    try (PostgresDatabase database = PostgresDatabase.create();
        StandInDestination accepting = StandInDestination.start();
        StandInDestination refusing = StandInDestination.start();
        Connection sql = database.connect()) {
      // Slow answers keep deliveries, and the projection's writes of their outcomes, going for
      // seconds after ingest: the crash lands in the middle of them.
      accepting.alwaysAnswer(Answer.status(200).after(Duration.ofMillis(300)));
      refusing.alwaysAnswer(Answer.status(400).after(Duration.ofMillis(100)));
      RelayProcess node = start(database, "first");
      try {
        node.awaitReady(Duration.ofSeconds(90));
        JsonNode created = post(node, "/api/sources", "{\"name\": \"crash\", \"type\": \"server\"}");
        String source = created.path("writeKey").asText();
        String sourceId = created.path("id").asText();
        String delivered = webhook(node, accepting.url("/accepting"), sourceId);
        String failed = webhook(node, refusing.url("/refusing"), sourceId);

        for (int request = 0; request < EVENTS / PER_REQUEST; request++) {
          assertEquals(200, ingest(node, source, request), "ingest request " + request);
        }

        // SIGKILL while a projection transaction is open, if one is seen within 5 s.
        boolean caught = awaitProjectionTransaction(sql, database.name(), Duration.ofSeconds(5));
        node.kill();
        long itemsAtKill = count(sql, "SELECT COUNT(*) FROM journal_item WHERE destination_id IN (?, ?)", delivered, failed);
        long deliveredAtKill = count(sql, "SELECT COUNT(*) FROM journal_item_state WHERE destination_id = ? AND status = 'delivered'", delivered);
        System.out.println("[read-side crash] killed " + (caught ? "inside" : "outside") + " a projection transaction;"
            + " projected then: " + itemsAtKill + " items, " + deliveredAtKill + " delivered");
        assertTrue(deliveredAtKill < EVENTS, "the crash came before the read side had everything");

        node = start(database, "second");
        node.awaitReady(Duration.ofSeconds(90));
        RelayProcess restarted = node;
        awaitUntil(Duration.ofSeconds(120), () -> {
          JsonNode a = totals(restarted, delivered);
          JsonNode b = totals(restarted, failed);
          return a.path("delivered").asLong() == EVENTS && b.path("failed").asLong() == EVENTS;
        }, "every action projected as delivered or failed after the restart");

        JsonNode ok = overview(node, delivered);
        assertEquals(List.of((long) EVENTS, (long) EVENTS, 0L, 0L, 0L), totalsOf(ok), ok.toString());
        assertEquals(List.of((long) EVENTS, 0L, 0L), seriesSums(ok), ok.toString());
        JsonNode refused = overview(node, failed);
        assertEquals(List.of((long) EVENTS, 0L, (long) EVENTS, 0L, 0L), totalsOf(refused), refused.toString());
        assertEquals(List.of(0L, (long) EVENTS, 0L), seriesSums(refused), refused.toString());

        for (String id : List.of(delivered, failed)) {
          assertEquals(EVENTS, count(sql, "SELECT COUNT(*) FROM journal_item WHERE destination_id = ?", id), id + " items");
          assertEquals(EVENTS, count(sql, "SELECT COUNT(*) FROM journal_item_state WHERE destination_id = ?", id), id + " item states");
          // One final attempt per action, journaled once, projected once.
          assertEquals(EVENTS, journaledAttempts(sql, id), id + " AttemptRecorded events in the journal");
          assertEquals(EVENTS, count(sql, "SELECT COUNT(*) FROM journal_attempt WHERE destination_id = ?", id), id + " attempts");
          assertEquals(0, count(sql, "SELECT COUNT(*) FROM journal_item_state WHERE destination_id = ? AND attempts <> 1", id), id + " items with attempts other than 1");
        }
        assertEquals(EVENTS, messageIds(accepting).size(), "the accepting destination took every event");
        assertEquals(EVENTS, messageIds(refusing).size(), "the refusing destination saw every event");
      } finally {
        node.close();
      }
    }
  }

  private RelayProcess start(PostgresDatabase database, String name) {
    Map<String, String> env = Map.of(
        "RELAY_DB_URL", database.url(),
        "RELAY_DB_USER", PostgresDatabase.USER,
        "RELAY_ADMIN_TOKEN", ADMIN_TOKEN,
        "RELAY_HTTP_INTERFACE", "127.0.0.1",
        "RELAY_DATA_DIR", logs.resolve("data").toString(),
        "RELAY_ALLOWED_NETWORKS", "127.0.0.0/8",
        // A cluster of one: the node is its own seed, whatever ports it gets.
        "JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Drelay.delivery.retry.base-delay=200ms");
    Path log = logs.resolve(name + ".log");
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return RelayProcess.start(RelayProcess.jar(), env, RelayProcess.freePorts(3), log);
  }

  /** Waits until the database shows an open transaction writing the read side's tables. */
  private static boolean awaitProjectionTransaction(Connection sql, String database, Duration atMost) throws Exception {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (System.nanoTime() < deadline) {
      try (PreparedStatement select = sql.prepareStatement(
          "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = ? AND xact_start IS NOT NULL"
              + " AND state IN ('active', 'idle in transaction')"
              + " AND (query ILIKE '%journal_item%' OR query ILIKE '%journal_attempt%' OR query ILIKE '%journal_minute%')"
              + " AND query NOT ILIKE '%pg_stat_activity%'")) {
        select.setString(1, database);
        try (ResultSet rows = select.executeQuery()) {
          rows.next();
          if (rows.getLong(1) > 0) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** AttemptRecorded events in the destination's journal, by their serializer manifest. */
  private static long journaledAttempts(Connection sql, String destinationId) throws SQLException {
    long attempts = count(sql,
        "SELECT COUNT(*) FROM event_journal WHERE persistence_id = ? AND event_ser_manifest LIKE '%AttemptRecorded'",
        "Destination|" + destinationId);
    return attempts;
  }

  private static long count(Connection sql, String query, String... params) throws SQLException {
    try (PreparedStatement select = sql.prepareStatement(query)) {
      for (int i = 0; i < params.length; i++) {
        select.setString(i + 1, params[i]);
      }
      try (ResultSet rows = select.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  private static Set<String> messageIds(StandInDestination standIn) throws IOException {
    Set<String> ids = new HashSet<>();
    for (StandInDestination.Received request : standIn.received()) {
      ids.addAll(JSON.readTree(request.body()).findValuesAsText("messageId"));
    }
    return ids;
  }

  private static List<Long> totalsOf(JsonNode overview) {
    JsonNode t = overview.path("totals");
    return List.of(t.path("queued").asLong(), t.path("delivered").asLong(), t.path("failed").asLong(),
        t.path("retrying").asLong(), t.path("discarded").asLong());
  }

  private static List<Long> seriesSums(JsonNode overview) {
    long delivered = 0, failed = 0, retried = 0;
    for (JsonNode point : overview.path("series")) {
      delivered += point.path("delivered").asLong();
      failed += point.path("failed").asLong();
      retried += point.path("retried").asLong();
    }
    return List.of(delivered, failed, retried);
  }

  // --- HTTP ------------------------------------------------------------------------------------

  private String webhook(RelayProcess node, String url, String sourceId) throws IOException {
    ObjectNode body = JSON.createObjectNode().put("name", "crash " + url).put("type", "webhook");
    body.putObject("settings").put("url", url);
    String id = post(node, "/api/destinations", body.toString()).path("id").asText();
    send(node, "PUT", "/api/destinations/" + id + "/sources/" + sourceId, null, 200);
    return id;
  }

  private int ingest(RelayProcess node, String writeKey, int request) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode batch = body.putArray("batch");
    for (int i = 0; i < PER_REQUEST; i++) {
      batch.addObject().put("type", "track").put("event", "Order Completed").put("userId", "u-" + i)
          .put("messageId", "crash-" + request + "-" + i);
    }
    String basic = Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/v1/batch"))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Basic " + basic)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        .build();
    try {
      return http.send(post, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private JsonNode overview(RelayProcess node, String id) throws IOException {
    return send(node, "GET", "/api/destinations/" + id + "/overview", null, 200);
  }

  private JsonNode totals(RelayProcess node, String id) {
    try {
      return overview(node, id).path("totals");
    } catch (IOException | AssertionError notNow) {
      return JSON.createObjectNode();
    }
  }

  private JsonNode post(RelayProcess node, String path, String body) throws IOException {
    return send(node, "POST", path, body, 201);
  }

  private JsonNode send(RelayProcess node, String method, String path, String body, int expected) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + ADMIN_TOKEN)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      assertEquals(expected, response.statusCode(), method + " " + path + ": " + response.body());
      return JSON.readTree(response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void awaitUntil(Duration atMost, java.util.function.BooleanSupplier done, String what) {
    StandInDestination.await(atMost, what, done);
  }
}
