package dev.relay.readside;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.testing.PostgresDatabase;
import dev.relay.testing.ProcessClient;
import dev.relay.testing.RelayProcess;
import dev.relay.testing.StandInDestination;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node killed with SIGKILL while events pour in and are delivered, on PostgreSQL and on the
 * embedded H2: after a restart the read side catches up by itself (no rebuild), reports it through
 * {@code GET /api/read-side}, and every acknowledged event is in each destination's action journal.
 * (On H2, {@link ReadSideCrashRecoveryOnH2}, which runs only on demand.)
 */
class ReadSideCrashRecoveryIT {

  private static final String TOKEN = "read-side-crash-admin-token-0123456789";
  @TempDir Path work;

  @Test
  void theReadSideCatchesUpAfterAKillDuringLoad() throws Exception {
    try (PostgresDatabase database = PostgresDatabase.create()) {
      killDuringLoadThenCatchUp(work, Map.of("RELAY_DB_URL", database.url(), "RELAY_DB_USER", PostgresDatabase.USER));
    }
  }

  /** {@code database}: the environment that names the database; none for the embedded H2. */
  static void killDuringLoadThenCatchUp(Path work, Map<String, String> database) throws Exception {
    Map<String, String> env = new HashMap<>(database);
    env.putAll(
        Map.of(
            "RELAY_DATA_DIR", work.resolve("data").toString(),
            "RELAY_ADMIN_TOKEN", TOKEN,
            "RELAY_ALLOWED_NETWORKS", "127.0.0.0/8",
            "JAVA_TOOL_OPTIONS",
            "-Drelay.read-side.health.check-interval=1s -Drelay.read-side.health.stall-warn-after=5s"
                + " -Drelay.read-side.health.stall-restart-after=10s"));
    int[] ports = RelayProcess.freePorts(3);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    List<String> destinations = new ArrayList<>();
    try (StandInDestination standIn = StandInDestination.start()) {
      try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, ports, work.resolve("node.log"))) {
        node.awaitReady(Duration.ofSeconds(30));
        ProcessClient client = new ProcessClient(node, TOKEN);
        ProcessClient.Wired wired = client.wireWebhook(standIn.url("/d0"), "\"batchSize\":1");
        String writeKey = wired.writeKey();
        destinations.add(wired.destinationId());
        for (int d = 1; d < 3; d++) {
          String id = client.webhook(standIn.url("/d" + d), "\"batchSize\":20");
          client.connect(id, wired.sourceId());
          destinations.add(id);
        }

        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicLong sequence = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
          Thread sender =
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
                        HttpResponse<String> answer = client.ingest("batch", writeKey, body.append("]}").toString());
                        if (answer.statusCode() == 200) {
                          acknowledged.addAll(ids);
                        }
                      } catch (Exception nodeGone) {
                        return;
                      }
                    }
                  });
          clients.add(sender);
          sender.start();
        }
        await(Duration.ofSeconds(60), "load under way", () -> acknowledged.size() >= 2_000);
        node.kill();
        sending.set(false);
        for (Thread sender : clients) {
          sender.join(10_000);
        }
      }

      try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, ports, work.resolve("node2.log"))) {
        node.awaitReady(Duration.ofSeconds(30));
        ProcessClient client = new ProcessClient(node, TOKEN);
        // The report in which every tag had caught up: deliveries still under way after the restart
        // journal more events, so a report read later may show a tag a few events behind again.
        AtomicReference<JsonNode> caughtUpReport = new AtomicReference<>();
        try {
          await(Duration.ofSeconds(120), "every read-side tag has caught up with the journal",
              () -> {
                JsonNode status = client.adminJson("GET", "/api/read-side", null);
                caughtUpReport.set(status);
                boolean caughtUp = status.path("tags").size() > 0;
                for (JsonNode tag : status.path("tags")) {
                  caughtUp &= tag.path("eventsBehind").asLong(-1) == 0;
                }
                return caughtUp;
              });
        } catch (AssertionError stuck) {
          throw new AssertionError(
              stuck.getMessage() + "; read side: " + client.adminJson("GET", "/api/read-side", null) + "; node log: " + notMonitor(node), stuck);
        }
        JsonNode status = caughtUpReport.get();
        for (JsonNode tag : status.path("tags")) {
          assertEquals(tag.path("journalOrdering").asLong(), tag.path("projectedOffset").asLong(), tag.toString());
          assertEquals("current", tag.path("state").asText(), tag.toString());
        }
        assertTrue(status.path("storage").path("fileBytes").asLong() > 0, status.toString());
        for (String destination : destinations) {
          Set<String> journaled = messageIds(client, destination);
          Set<String> missing = new java.util.TreeSet<>(acknowledged);
          missing.removeAll(journaled);
          assertEquals(Set.of(), missing, "acknowledged events missing from the journal of " + destination);
        }
      }
    }
  }

  /** The node's log without the monitor's own lines, which repeat. */
  private static String notMonitor(RelayProcess node) {
    try {
      return String.join("\n", java.nio.file.Files.readAllLines(node.log).stream().filter(l -> !l.contains("ReadSideMonitor")).toList());
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  /** Every messageId in a destination's action journal, paging through it. */
  private static Set<String> messageIds(ProcessClient client, String destination) {
    Set<String> ids = new java.util.HashSet<>();
    String cursor = null;
    do {
      JsonNode page =
          client.adminJson("GET", "/api/destinations/" + destination + "/journal?limit=500" + (cursor == null ? "" : "&cursor=" + cursor), null);
      page.path("items").forEach(item -> ids.add(item.path("messageId").asText()));
      cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
    } while (cursor != null);
    return ids;
  }
}
