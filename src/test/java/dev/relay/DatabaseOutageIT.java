package dev.relay;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.PostgresDatabase;
import dev.relay.testing.RelayProcess;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TcpProxy;
import java.io.IOException;
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
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL going away, with a real node process and a real PostgreSQL behind a TCP proxy the test
 * stops and starts: a node started while the database is away is alive but not ready, and becomes
 * ready by itself when the database is back; a 15 s outage under load loses nothing acknowledged.
 */
class DatabaseOutageIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "database-outage-admin-token-0123456789";
  private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\":\"(o-\\d+)\"");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path work;

  @Test
  void aNodeStartedWhileTheDatabaseIsAwayBecomesReadyWhenItIsBack() throws Exception {
    int[] ports = RelayProcess.freePorts(4);
    try (PostgresDatabase database = PostgresDatabase.create();
        TcpProxy proxy = new TcpProxy(ports[3], "127.0.0.1", 5432);
        StandInDestination standIn = StandInDestination.start();
        RelayProcess node = RelayProcess.start(RelayProcess.jar(), env(database, proxy), ports, work.resolve("node.log"))) {
      await(Duration.ofSeconds(30), "the node is alive", () -> status(node.managementPort, "/alive") == 200);
      long notReadyUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < notReadyUntil) {
        assertNotEquals(200, status(node.managementPort, "/ready"), "ready without its database");
        Thread.sleep(200);
      }

      proxy.start();
      node.awaitReady(Duration.ofSeconds(60));
      String writeKey = wire(node, standIn.url("/hook"));
      HttpResponse<String> tracked = track(node, writeKey, "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Back\",\"messageId\":\"o-1\"}]}");
      assertEquals(200, tracked.statusCode(), tracked.body());
      await(Duration.ofSeconds(30), "the event is delivered", () -> delivered(standIn).contains("o-1"));
    }
  }

  @Test
  void aFifteenSecondOutageUnderLoadLosesNothingAcknowledged() throws Exception {
    int[] ports = RelayProcess.freePorts(4);
    try (PostgresDatabase database = PostgresDatabase.create();
        TcpProxy proxy = new TcpProxy(ports[3], "127.0.0.1", 5432);
        StandInDestination standIn = StandInDestination.start()) {
      proxy.start();
      try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env(database, proxy), ports, work.resolve("node.log"))) {
        node.awaitReady(Duration.ofSeconds(60));
        String writeKey = wire(node, standIn.url("/hook"));

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicLong refused = new AtomicLong();
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicLong sequence = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
          Thread client = new Thread(() -> send(node, writeKey, sending, sequence, acknowledged, refused));
          clients.add(client);
          client.start();
        }
        await(Duration.ofSeconds(30), "load under way", () -> acknowledged.size() >= 300);
        proxy.stop();
        Thread.sleep(15_000); // the outage itself: its length is the point
        proxy.start();
        long before = acknowledged.size();
        await(Duration.ofSeconds(60), "ingest acknowledges again", () -> acknowledged.size() >= before + 300);
        sending.set(false);
        for (Thread client : clients) {
          client.join(60_000);
        }
        System.out.println("outage: " + acknowledged.size() + " events acknowledged, " + refused.get() + " requests refused and retried");
        await(Duration.ofSeconds(120), "every acknowledged event delivered", () -> delivered(standIn).containsAll(acknowledged));
        assertEquals(Set.of(), missing(acknowledged, delivered(standIn)));
      }
    }
  }

  /** A client as an SDK is: a batch is sent again, with the same messageIds, until it is acknowledged. */
  private void send(
      RelayProcess node, String writeKey, AtomicBoolean sending, AtomicLong sequence, Set<String> acknowledged, AtomicLong refused) {
    while (sending.get()) {
      long first = sequence.getAndAdd(10);
      List<String> ids = new ArrayList<>();
      StringBuilder body = new StringBuilder("{\"batch\":[");
      for (long i = first; i < first + 10; i++) {
        ids.add("o-" + i);
        body.append(i == first ? "" : ",")
            .append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Outage\",\"messageId\":\"o-").append(i).append("\"}");
      }
      body.append("]}");
      for (int attempt = 0; attempt < 200; attempt++) {
        try {
          if (track(node, writeKey, body.toString()).statusCode() == 200) {
            acknowledged.addAll(ids);
            break;
          }
        } catch (IOException | InterruptedException e) {
          // no answer: the same batch again, as an SDK would
        }
        refused.incrementAndGet();
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private static Set<String> missing(Set<String> acknowledged, Set<String> delivered) {
    Set<String> missing = new TreeSet<>(acknowledged);
    missing.removeAll(delivered);
    return missing;
  }

  private static Map<String, String> env(PostgresDatabase database, TcpProxy proxy) {
    return Map.of(
        "RELAY_DB_URL", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + database.name(),
        "RELAY_DB_USER", PostgresDatabase.USER,
        "RELAY_ADMIN_TOKEN", TOKEN,
        "RELAY_ALLOWED_NETWORKS", "127.0.0.0/8");
  }

  private static Set<String> delivered(StandInDestination standIn) {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    for (StandInDestination.Received request : standIn.accepted()) {
      Matcher matcher = MESSAGE_ID.matcher(request.body());
      while (matcher.find()) {
        ids.add(matcher.group(1));
      }
    }
    return ids;
  }

  private int status(int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private String wire(RelayProcess node, String url) throws Exception {
    String destination =
        JSON.readTree(admin(node, "POST", "/api/destinations",
                "{\"name\":\"outage\",\"type\":\"webhook\",\"settings\":{\"url\":\"" + url + "\",\"batchSize\":10}}"))
            .path("id").asText();
    var source = JSON.readTree(admin(node, "POST", "/api/sources", "{\"name\":\"outage\",\"type\":\"server\"}"));
    admin(node, "PUT", "/api/destinations/" + destination + "/sources/" + source.path("id").asText(), null);
    return source.path("writeKey").asText();
  }

  private String admin(RelayProcess node, String method, String path, String body) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new AssertionError(method + " " + path + " → " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  private HttpResponse<String> track(RelayProcess node, String writeKey, String body) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/v1/batch"))
            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(15))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
