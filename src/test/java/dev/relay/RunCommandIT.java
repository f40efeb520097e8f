package dev.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.RelayProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command, as a real process on the embedded default: ready within 30 s, an admin
 * token generated and kept, and what was created still there after a restart on the same data dir.
 */
class RunCommandIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path work;

  @Test
  void theJarStartsReadyAndKeepsItsDataAcrossARestart() throws Exception {
    Path dataDir = work.resolve("data");
    Map<String, String> env = Map.of("RELAY_DATA_DIR", dataDir.toString());
    int[] ports = RelayProcess.freePorts(3);
    String destinationId;
    String writeKey;
    String token;
    try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, ports, work.resolve("node.log"))) {
      Duration ready = node.awaitReady(Duration.ofSeconds(30));
      System.out.println("relay.jar ready after " + ready.toMillis() + " ms");
      token = Files.readString(dataDir.resolve("admin-token")).strip();
      assertTrue(Files.readString(node.log).contains(token), "the generated token is printed at start");

      HttpResponse<String> created =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/api/destinations"))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(
                      "{\"name\":\"kept\",\"type\":\"webhook\",\"settings\":{\"url\":\"https://example.test/h\"}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(201, created.statusCode(), created.body());
      destinationId = JSON.readTree(created.body()).path("id").asText();
      HttpResponse<String> source =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/api/sources"))
                  .header("Authorization", "Bearer " + token)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"kept\",\"type\":\"server\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(201, source.statusCode(), source.body());
      writeKey = JSON.readTree(source.body()).path("writeKey").asText();
      int exit = node.stop(Duration.ofSeconds(30));
      assertTrue(exit == 0 || exit == 143, "SIGTERM ends the node, exit " + exit);
      assertTrue(Files.readString(node.log).contains("Exiting completed"), "it left the cluster first: " + node.tail());
    }

    try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, ports, work.resolve("node2.log"))) {
      node.awaitReady(Duration.ofSeconds(30));
      assertTrue(!Files.readString(node.log).contains(token), "the token is printed only when generated");
      HttpResponse<String> fetched =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/api/destinations/" + destinationId))
                  .header("Authorization", "Bearer " + token)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, fetched.statusCode(), fetched.body());
      JsonNode destination = JSON.readTree(fetched.body());
      assertEquals("kept", destination.path("name").asText());

      // The source survived too: its write key still opens ingest.
      HttpResponse<String> tracked =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/v1/track"))
                  .POST(HttpRequest.BodyPublishers.ofString(
                      "{\"writeKey\":\"" + writeKey + "\",\"userId\":\"u-1\",\"event\":\"Restarted\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, tracked.statusCode(), tracked.body());
    }
  }

  @Test
  void aBadAllowedNetworkStopsTheNodeAtStartNamingTheKey() throws Exception {
    Map<String, String> env = Map.of("RELAY_DATA_DIR", work.resolve("bad").toString(), "RELAY_ALLOWED_NETWORKS", "127.0.0.0/8, 10.0.0.0/33");
    try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, RelayProcess.freePorts(3), work.resolve("bad.log"))) {
      assertEquals(1, node.awaitExit(Duration.ofSeconds(30)));
      String log = Files.readString(node.log);
      assertTrue(log.contains("Relay could not start: relay.delivery.allowed-networks: '10.0.0.0/33' is not an IP address or CIDR range"), log);
    }
  }

  @Test
  void theJarRefusesToStartWithAnAdminTokenShorterThan32Characters() throws Exception {
    Map<String, String> env = Map.of("RELAY_DATA_DIR", work.resolve("short").toString(), "RELAY_ADMIN_TOKEN", "change-me");
    try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, RelayProcess.freePorts(3), work.resolve("short.log"))) {
      assertEquals(1, node.awaitExit(Duration.ofSeconds(30)), node.tail());
      String log = Files.readString(node.log);
      assertTrue(log.contains("Relay could not start: the configured admin token (RELAY_ADMIN_TOKEN / relay.admin-token) "
          + "has 9 characters; it must have at least 32"), log);
    }
  }
}
