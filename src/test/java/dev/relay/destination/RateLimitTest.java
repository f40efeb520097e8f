package dev.relay.destination;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.relay.testing.Backend;
import dev.relay.testing.NodePerClass;
import dev.relay.testing.TestNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A destination that takes {@value #LIMIT} requests per second and answers 429 above it: Relay
 * slows down to it by itself, and with {@code rateLimit} set to it sends no request it refuses.
 * Nothing is lost either way.
 */
class RateLimitTest extends NodePerClass {

  private static final int LIMIT = 20;
  private static final int EVENTS = 300;
  private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\":\"([^\"]+)\"");

  /** What the limited destination saw: when each request came and what it answered. */
  private record Seen(long atNanos, int status) {}

  private HttpServer server;
  private ExecutorService threads;
  private final Map<String, Deque<Long>> acceptedAt = new HashMap<>();
  private final Map<String, List<Seen>> seen = new HashMap<>();
  private final Map<String, Set<String>> delivered = new HashMap<>();

  @Override
  protected Backend backend() {
    return Backend.H2;
  }

  @BeforeEach
  void startLimitedHost() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
    threads = Executors.newCachedThreadPool();
    server.setExecutor(threads);
    server.createContext("/", this::limited);
    server.start();
  }

  @AfterEach
  void stopLimitedHost() {
    server.stop(0);
    threads.shutdownNow();
  }

  /** At most LIMIT requests in any second (per path), like an API counting a sliding second. */
  private void limited(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    long now = System.nanoTime();
    int status;
    synchronized (this) {
      Deque<Long> window = acceptedAt.computeIfAbsent(path, p -> new ArrayDeque<>());
      while (!window.isEmpty() && now - window.peekFirst() >= 1_000_000_000L) {
        window.pollFirst();
      }
      status = window.size() < LIMIT ? 200 : 429;
      if (status == 200) {
        window.addLast(now);
        Matcher id = MESSAGE_ID.matcher(body);
        while (id.find()) {
          delivered.computeIfAbsent(path, p -> new HashSet<>()).add(id.group(1));
        }
      }
      seen.computeIfAbsent(path, p -> new ArrayList<>()).add(new Seen(now, status));
    }
    byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, answer.length);
    exchange.getResponseBody().write(answer);
    exchange.close();
  }

  @Test
  void withoutARateLimitRelaySlowsDownToWhatTheDestinationTakesAndLosesNothing() {
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/adaptive";
    send(source(webhook(Map.of("url", url))), "adaptive", EVENTS);

    await(Duration.ofSeconds(90), "every event delivered", () -> delivered("/adaptive") == EVENTS);
    List<Seen> requests = seen("/adaptive");
    long start = requests.get(0).atNanos();
    List<Seen> afterTenSeconds = requests.stream().filter(r -> r.atNanos() - start >= 10_000_000_000L).toList();
    long refused = afterTenSeconds.stream().filter(r -> r.status() == 429).count();
    assertTrue(afterTenSeconds.size() >= 50, "still sending after 10 s: " + afterTenSeconds.size());
    assertTrue(
        refused < 0.05 * afterTenSeconds.size(),
        refused + " of " + afterTenSeconds.size() + " requests refused after the first 10 s");
  }

  @Test
  void withTheDestinationsRateLimitSetRelaySendsNothingItRefuses() {
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/limited";
    send(source(webhook(Map.of("url", url, "rateLimit", Map.of("requestsPerSecond", LIMIT)))), "limited", EVENTS / 2);

    await(Duration.ofSeconds(60), "every event delivered", () -> delivered("/limited") == EVENTS / 2);
    assertEquals(List.of(), seen("/limited").stream().filter(r -> r.status() == 429).toList());
  }

  private synchronized int delivered(String path) {
    return delivered.getOrDefault(path, Set.of()).size();
  }

  private synchronized List<Seen> seen(String path) {
    return List.copyOf(seen.getOrDefault(path, List.of()));
  }

  private String webhook(Map<String, Object> settings) {
    TestNode.Answer created = node.admin("POST", "/api/destinations", Map.of("name", "limited", "type", "webhook", "settings", settings));
    assertEquals(201, created.status(), created.body());
    return created.json().path("id").asText();
  }

  private String source(String destination) {
    TestNode.Answer source = node.admin("POST", "/api/sources", Map.of("name", "feed", "type", "server"));
    assertEquals(201, source.status(), source.body());
    TestNode.Answer connected = node.admin("PUT", "/api/destinations/" + destination + "/sources/" + source.json().path("id").asText());
    assertEquals(200, connected.status(), connected.body());
    return source.json().path("writeKey").asText();
  }

  private void send(String writeKey, String prefix, int events) {
    ObjectNode body = TestNode.json().createObjectNode();
    ArrayNode batch = body.putArray("batch");
    for (int i = 0; i < events; i++) {
      batch.addObject().put("type", "track").put("event", "Tick").put("userId", "u-1").put("messageId", prefix + "-" + i);
    }
    String auth = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    assertEquals(200, node.send("POST", "/v1/batch", body, Map.of("Authorization", auth)).status());
  }
}
