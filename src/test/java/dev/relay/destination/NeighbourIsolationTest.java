package dev.relay.destination;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Destinations on one host do not share connections: neighbours that hang with every request they
 * may have in flight do not hold up a healthy destination's deliveries.
 */
class NeighbourIsolationTest extends NodePerClass {

  private static final int MAX_IN_FLIGHT = 32;

  private HttpServer server;
  private ExecutorService threads;
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger hanging = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();

  @Override
  protected Backend backend() {
    return Backend.H2;
  }

  @BeforeEach
  void startHost() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
    threads = Executors.newCachedThreadPool();
    server.setExecutor(threads);
    server.createContext("/hang", exchange -> {
      hanging.incrementAndGet();
      try {
        release.await(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer(exchange);
    });
    server.createContext("/ok", exchange -> {
      answered.incrementAndGet();
      answer(exchange);
    });
    server.start();
  }

  @AfterEach
  void stopHost() {
    release.countDown();
    server.stop(0);
    threads.shutdownNow();
  }

  private static void answer(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    try {
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    } catch (IOException clientGone) {
      // the node stopped waiting
    }
    exchange.close();
  }

  @Test
  void aHealthyDestinationDeliversWhileItsNeighboursOnTheSameHostHangWithEveryConnectionTheyMayHold() {
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    String hangingOne = webhook(url + "/hang");
    String hangingTwo = webhook(url + "/hang");
    String healthy = webhook(url + "/ok");
    String stuckFeed = source(hangingOne, hangingTwo);
    String healthyFeed = source(healthy);

    // More than either may send at once: together they hold as many connections as the host's
    // shared pool had (relay's default 64), each until its 60 s timeout.
    assertEquals(200, batch(stuckFeed, "stuck", MAX_IN_FLIGHT + 8));
    await(Duration.ofSeconds(30), "both neighbours to hang with all they may send", () -> hanging.get() >= 2 * MAX_IN_FLIGHT);

    assertEquals(200, batch(healthyFeed, "healthy", 10));
    await(Duration.ofSeconds(15), "the healthy destination to get its 10 events", () -> answered.get() >= 10);
  }

  private String webhook(String url) {
    TestNode.Answer created =
        node.admin("POST", "/api/destinations", Map.of("name", "hook", "type", "webhook", "settings", Map.of("url", url, "timeoutMs", 60_000)));
    assertEquals(201, created.status(), created.body());
    return created.json().path("id").asText();
  }

  /** A source connected to {@code destinations}; its write key. */
  private String source(String... destinations) {
    TestNode.Answer source = node.admin("POST", "/api/sources", Map.of("name", "feed", "type", "server"));
    assertEquals(201, source.status(), source.body());
    for (String destination : destinations) {
      TestNode.Answer connected =
          node.admin("PUT", "/api/destinations/" + destination + "/sources/" + source.json().path("id").asText());
      assertEquals(200, connected.status(), connected.body());
    }
    return source.json().path("writeKey").asText();
  }

  private int batch(String writeKey, String prefix, int events) {
    ObjectNode body = TestNode.json().createObjectNode();
    ArrayNode batch = body.putArray("batch");
    for (int i = 0; i < events; i++) {
      batch.addObject().put("type", "track").put("event", "Tick").put("userId", "u-1").put("messageId", prefix + "-" + i);
    }
    String auth = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    return node.send("POST", "/v1/batch", body, Map.of("Authorization", auth)).status();
  }
}
