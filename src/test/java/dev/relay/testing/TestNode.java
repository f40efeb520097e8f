package dev.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.RelayConfig;
import dev.relay.RelayNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Relay node started in this JVM on free ports, and a small HTTP client for its API: whole-node
 * tests talk to it over real HTTP on loopback.
 */
public final class TestNode implements AutoCloseable {

  public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RelayNode node;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestNode(RelayNode node) {
    this.node = node;
  }

  /** Starts a node on {@code storage} with {@code overrides} on top of the test defaults. */
  public static TestNode start(Backend.Storage storage, Config overrides) {
    Config config =
        overrides
            .withFallback(storage.config())
            .withFallback(
                ConfigFactory.parseMap(
                    Map.of(
                        "relay.http.port", 0,
                        "relay.http.interface", "127.0.0.1",
                        "relay.admin-token", ADMIN_TOKEN,
                        "pekko.remote.artery.canonical.port", 0,
                        "pekko.management.http.port", 0,
                        "relay.http.drain-timeout", "1s",
                        // Stand-in destinations listen on loopback, which is refused by default.
                        "relay.delivery.allowed-networks", "127.0.0.0/8",
                        // A lone node waits out this phase when messages reach a region during its
                        // shutdown (apache/pekko#3552): nothing to wait for in tests.
                        "pekko.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout", "3s")));
    try {
      return new TestNode(RelayNode.start(RelayConfig.load(config)).toCompletableFuture().get(60, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("test node did not start", e);
    }
  }

  public static TestNode start(Backend.Storage storage) {
    return start(storage, ConfigFactory.empty());
  }

  public RelayNode node() {
    return node;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + node.httpPort();
  }

  /** Where /api answers: relay.admin.port's listener, else {@link #baseUrl()}. */
  public String adminBaseUrl() {
    return "http://127.0.0.1:" + node.adminPort();
  }

  /** An answer of the API: status and body (parsed when it is JSON). */
  public record Answer(int status, JsonNode json, String body) {}

  public Answer admin(String method, String path, Object body) {
    return send(method, path, body, Map.of("Authorization", "Bearer " + ADMIN_TOKEN));
  }

  public Answer admin(String method, String path) {
    return admin(method, path, null);
  }

  /** A request to {@link #adminBaseUrl()} for {@code /api}, else to {@link #baseUrl()}. */
  public Answer send(String method, String path, Object body, Map<String, String> headers) {
    return send(path.startsWith("/api") ? adminBaseUrl() : baseUrl(), method, path, body, headers);
  }

  public Answer send(String baseUrl, String method, String path, Object body, Map<String, String> headers) {
    try {
      String text = body == null ? "" : body instanceof String s ? s : JSON.writeValueAsString(body);
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(baseUrl + path))
              .timeout(Duration.ofSeconds(30))
              .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text))
              .header("Content-Type", "application/json");
      headers.forEach(request::header);
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = null;
      if (response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
        json = JSON.readTree(response.body());
      }
      return new Answer(response.statusCode(), json, response.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GET on the management endpoint, e.g. {@code /ready}. */
  public int management(String path) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(node.managementUri().toString().replaceAll("/$", "") + path)).build();
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The first column of the first row of {@code sql} on the node's database: a count. */
  public long count(String sql, Object... params) {
    try (java.sql.Connection connection = node.database().dataSource().getConnection();
        java.sql.PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      try (java.sql.ResultSet rows = statement.executeQuery()) {
        rows.next();
        long count = rows.getLong(1);
        connection.rollback();
        return count;
      }
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }

  public static ObjectMapper json() {
    return JSON;
  }

  @Override
  public void close() {
    try {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test node did not stop", e);
    }
  }
}
