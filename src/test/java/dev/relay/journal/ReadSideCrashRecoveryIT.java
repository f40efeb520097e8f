package dev.relay.journal;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.RelayProcess;
import dev.relay.testing.StandInDestination;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node on the embedded default killed with SIGKILL while events pour in and are delivered: after a
 * restart on the same data dir the read side catches up by itself (no rebuild), reports it through
 * {@code GET /api/read-side}, and every acknowledged event is in each destination's action journal.
 */
class ReadSideCrashRecoveryIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "read-side-crash-admin-token-0123456789";
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path work;

  @Test
  void theReadSideCatchesUpAfterAKillDuringLoad() throws Exception {
    Map<String, String> env =
        Map.of(
            "RELAY_DATA_DIR", work.resolve("data").toString(),
            "RELAY_ADMIN_TOKEN", TOKEN,
            "RELAY_ALLOWED_NETWORKS", "127.0.0.0/8",
            "JAVA_TOOL_OPTIONS",
            "-Drelay.read-side.health.check-interval=1s -Drelay.read-side.health.stall-warn-after=5s"
                + " -Drelay.read-side.health.stall-restart-after=10s");
    int[] ports = RelayProcess.freePorts(3);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    List<String> destinations = new ArrayList<>();
    try (StandInDestination standIn = StandInDestination.start()) {
      try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, ports, work.resolve("node.log"))) {
        node.awaitReady(Duration.ofSeconds(30));
        String source = JSON.readTree(admin(node, "POST", "/api/sources", "{\"name\":\"load\",\"type\":\"server\"}").body()).path("id").asText();
        String writeKey = JSON.readTree(admin(node, "GET", "/api/sources/" + source, null).body()).path("writeKey").asText();
        for (int d = 0; d < 3; d++) {
          String id =
              JSON.readTree(
                      admin(node, "POST", "/api/destinations",
                              "{\"name\":\"d" + d + "\",\"type\":\"webhook\",\"settings\":{\"url\":\"" + standIn.url("/d" + d)
                                  + "\",\"batchSize\":" + (d == 0 ? 1 : 20) + "}}")
                          .body())
                  .path("id").asText();
          destinations.add(id);
          assertEquals(200, admin(node, "PUT", "/api/destinations/" + id + "/sources/" + source, null).statusCode());
        }

        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicLong sequence = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
          Thread client =
              new Thread(
                  () -> {
                    while (sending.get()) {
                      long first = sequence.getAndAdd(20);
                      StringBuilder body = new StringBuilder("{\"batch\":[");
                      List<String> ids = new ArrayList<>();
                      for (long i = first; i < first + 20; i++) {
                        ids.add("m-" + i);
                        body.append(i == first ? "" : ",")
                            .append("{\"type\":\"track\",\"event\":\"Load\",\"userId\":\"u-").append(i % 50)
                            .append("\",\"messageId\":\"m-").append(i).append("\"}");
                      }
                      try {
                        HttpResponse<String> answer = ingest(node, writeKey, body.append("]}").toString());
                        if (answer.statusCode() == 200) {
                          acknowledged.addAll(ids);
                        }
                      } catch (Exception nodeGone) {
                        return;
                      }
                    }
                  });
          clients.add(client);
          client.start();
        }
        await(Duration.ofSeconds(60), "load under way", () -> acknowledged.size() >= 2_000);
        node.kill();
        sending.set(false);
        for (Thread client : clients) {
          client.join(10_000);
        }
      }

      try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, ports, work.resolve("node2.log"))) {
        node.awaitReady(Duration.ofSeconds(30));
        await(Duration.ofSeconds(120), "every read-side tag has caught up with the journal",
            () -> {
              JsonNode status;
              try {
                status = json(admin(node, "GET", "/api/read-side", null));
              } catch (Exception e) {
                throw new AssertionError(e);
              }
              boolean caughtUp = status.path("tags").size() > 0;
              for (JsonNode tag : status.path("tags")) {
                caughtUp &= tag.path("eventsBehind").asLong(-1) == 0;
              }
              return caughtUp;
            });
        JsonNode status = json(admin(node, "GET", "/api/read-side", null));
        for (JsonNode tag : status.path("tags")) {
          assertEquals(tag.path("journalOrdering").asLong(), tag.path("projectedOffset").asLong(), tag.toString());
          assertEquals("current", tag.path("state").asText(), tag.toString());
        }
        assertTrue(status.path("storage").path("fileBytes").asLong() > 0, status.toString());
        for (String destination : destinations) {
          Set<String> journaled = messageIds(node, destination);
          Set<String> missing = new java.util.TreeSet<>(acknowledged);
          missing.removeAll(journaled);
          assertEquals(Set.of(), missing, "acknowledged events missing from the journal of " + destination);
        }
      }
    }
  }

  /** Every messageId in a destination's action journal, paging through it. */
  private Set<String> messageIds(RelayProcess node, String destination) throws Exception {
    Set<String> ids = new java.util.HashSet<>();
    String cursor = null;
    do {
      JsonNode page =
          json(admin(node, "GET", "/api/destinations/" + destination + "/journal?limit=500" + (cursor == null ? "" : "&cursor=" + cursor), null));
      page.path("items").forEach(item -> ids.add(item.path("messageId").asText()));
      cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
    } while (cursor != null);
    return ids;
  }

  private HttpResponse<String> admin(RelayProcess node, String method, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> ingest(RelayProcess node, String writeKey, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/v1/batch"))
            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(15))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }
}
