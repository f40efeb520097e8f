package dev.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** The admin and ingest API of a node running as its own process, over real HTTP on loopback. */
public final class ProcessClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RelayProcess node;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public ProcessClient(RelayProcess node, String token) {
    this.node = node;
    this.token = token;
  }

  /** A source connected to one new webhook destination. */
  public record Wired(String sourceId, String writeKey, String destinationId) {}

  /** Creates a source and a webhook destination to {@code url} (plus {@code settings}, JSON members), connected. */
  public Wired wireWebhook(String url, String settings) {
    JsonNode source = adminJson("POST", "/api/sources", "{\"name\":\"source\",\"type\":\"server\"}");
    String destination = webhook(url, settings);
    connect(destination, source.path("id").asText());
    return new Wired(source.path("id").asText(), source.path("writeKey").asText(), destination);
  }

  /** A new webhook destination to {@code url}; its id. */
  public String webhook(String url, String settings) {
    String extra = settings.isBlank() ? "" : "," + settings;
    return adminJson("POST", "/api/destinations",
            "{\"name\":\"hook\",\"type\":\"webhook\",\"settings\":{\"url\":\"" + url + "\"" + extra + "}}")
        .path("id").asText();
  }

  public void connect(String destinationId, String sourceId) {
    adminJson("PUT", "/api/destinations/" + destinationId + "/sources/" + sourceId, null);
  }

  /** An admin call that must succeed; its JSON answer. */
  public JsonNode adminJson(String method, String path, String body) {
    HttpResponse<String> response = admin(method, path, body);
    if (response.statusCode() >= 300) {
      throw new AssertionError(method + " " + path + " → " + response.statusCode() + " " + response.body());
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  public HttpResponse<String> admin(String method, String path, String body) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/json")
              .timeout(Duration.ofSeconds(30))
              .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** {@code POST /v1/<endpoint>} as an SDK sends it; throws when no answer comes (the node is gone). */
  public HttpResponse<String> ingest(String endpoint, String writeKey, String body) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/v1/" + endpoint))
            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(15))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The status of a GET on the node's management port, or -1 when nothing answers. */
  public int management(String path) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort + path)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
