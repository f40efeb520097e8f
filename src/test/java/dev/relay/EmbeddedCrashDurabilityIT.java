package dev.relay;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.RelayProcess;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.StandInDestination.Answer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the embedded default, {@code 200} means on disk: events acknowledged just before a SIGKILL
 * are all delivered after a restart on the same data dir. H2 batches commits to its file by default
 * (up to 500 ms), which lost the last acknowledged events to a kill.
 */
class EmbeddedCrashDurabilityIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "crash-test-admin-token-0123456789abcdef";
  private static final int EVENTS = 300;
  private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\":\"(crash-\\d+)\"");

  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path work;

  @Test
  void everyAcknowledgedEventIsDeliveredAfterAKillAndRestart() throws Exception {
    Map<String, String> env =
        Map.of(
            "RELAY_DATA_DIR", work.resolve("data").toString(),
            "RELAY_ADMIN_TOKEN", TOKEN,
            "RELAY_ALLOWED_NETWORKS", "127.0.0.0/8");
    int[] ports = RelayProcess.freePorts(3);
    try (StandInDestination standIn = StandInDestination.start()) {
      // Down while the events come in, so none is delivered (and so none could hide) before the kill.
      standIn.alwaysAnswer(Answer.status(503));
      try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, ports, work.resolve("node.log"))) {
        node.awaitReady(Duration.ofSeconds(30));
        String writeKey = wire(node, standIn.url("/hook"));
        for (int i = 0; i < EVENTS; i++) {
          HttpResponse<String> tracked =
              post(node, "/v1/track", Map.of("Authorization", basic(writeKey)),
                  "{\"userId\":\"u-" + i + "\",\"event\":\"Crash Test\",\"messageId\":\"crash-" + i + "\"}");
          assertEquals(200, tracked.statusCode(), tracked.body());
        }
        node.kill();
      }

      standIn.alwaysAnswer(Answer.status(200));
      try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, ports, work.resolve("node2.log"))) {
        node.awaitReady(Duration.ofSeconds(30));
        await(Duration.ofSeconds(90), "all " + EVENTS + " acknowledged events delivered after the restart",
            () -> delivered(standIn).size() >= EVENTS);
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < EVENTS; i++) {
          expected.add("crash-" + i);
        }
        assertEquals(expected, delivered(standIn));
      }
    }
  }

  private static Set<String> delivered(StandInDestination standIn) {
    Set<String> ids = new TreeSet<>();
    for (StandInDestination.Received request : standIn.accepted()) {
      Matcher matcher = MESSAGE_ID.matcher(request.body());
      while (matcher.find()) {
        ids.add(matcher.group(1));
      }
    }
    return ids;
  }

  /** A source connected to a webhook destination; returns the source's write key. */
  private String wire(RelayProcess node, String url) throws Exception {
    Map<String, String> admin = Map.of("Authorization", "Bearer " + TOKEN);
    HttpResponse<String> destination =
        post(node, "/api/destinations", admin,
            "{\"name\":\"crash\",\"type\":\"webhook\",\"settings\":{\"url\":\"" + url + "\"}}");
    assertEquals(201, destination.statusCode(), destination.body());
    HttpResponse<String> source = post(node, "/api/sources", admin, "{\"name\":\"crash\",\"type\":\"server\"}");
    assertEquals(201, source.statusCode(), source.body());
    String destinationId = JSON.readTree(destination.body()).path("id").asText();
    String sourceId = JSON.readTree(source.body()).path("id").asText();
    HttpResponse<String> connected =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/api/destinations/" + destinationId + "/sources/" + sourceId))
                .header("Authorization", "Bearer " + TOKEN)
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, connected.statusCode(), connected.body());
    return JSON.readTree(source.body()).path("writeKey").asText();
  }

  private HttpResponse<String> post(RelayProcess node, String path, Map<String, String> headers, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String writeKey) {
    return "Basic " + java.util.Base64.getEncoder().encodeToString((writeKey + ":").getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
