package dev.relay.metrics;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.testing.NodePerClass;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} on a real node's management port after known traffic: the counts equal what
 * was sent, delivered, failed and retried, the text parses strictly, and labels stay bounded. Runs on
 * H2 and on PostgreSQL (see the subclasses).
 */
abstract class MetricsEndpointTest extends NodePerClass {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private final HttpClient http = HttpClient.newHttpClient();

  @Override
  protected Config nodeConfig() {
    return ConfigFactory.parseMap(Map.of("relay.delivery.retry.base-delay", "200ms", "relay.delivery.retry.jitter", 0.0));
  }

  @Test
  void countsEqualTheTrafficSentDeliveredFailedAndRetried() throws Exception {
    StandInDestination refusing = StandInDestination.start().alwaysAnswer(Answer.status(400));
    StandInDestination recovering =
        StandInDestination.start().thenAnswer(Answer.status(503), Answer.status(503)).alwaysAnswer(Answer.status(200));
    try {
      String ok = webhook(standIn.url("/ok"));
      String refused = webhook(refusing.url("/refused"));
      String flaky = webhook(recovering.url("/flaky"));
      String toOk = source(ok);
      String toRefused = source(refused);
      String toFlaky = source(flaky);

      // 6 events to the one that answers 200: a batch of 4 and 2 tracks; 3 to the one that answers
      // 400; 1 to the one that answers 503 twice, then 200. And two requests refused at the door.
      assertEquals(200, ingest("/v1/batch", toOk, "{\"batch\":[" + track("a1") + "," + track("a2") + "," + track("a3") + "," + track("a4") + "]}"));
      assertEquals(200, ingest("/v1/track", toOk, track("a5")));
      assertEquals(200, ingest("/v1/track", toOk, track("a6")));
      for (int i = 1; i <= 3; i++) {
        assertEquals(200, ingest("/v1/track", toRefused, track("b" + i)));
      }
      assertEquals(200, ingest("/v1/track", toFlaky, track("c1")));
      assertEquals(400, ingest("/v1/track", toOk, "{not json"));
      assertEquals(401, ingest("/v1/track", "no-such-write-key", track("d1")));

      await(WAIT, "every action settled", () -> {
        PrometheusText m = scrape();
        return count(m, "relay_destination_actions_delivered_total", ok) == 6
            && count(m, "relay_destination_actions_failed_total", refused) == 3
            && count(m, "relay_destination_actions_delivered_total", flaky) == 1;
      });
      PrometheusText m = scrape();

      assertEquals(6, count(m, "relay_destination_actions_queued_total", ok));
      assertEquals(0, count(m, "relay_destination_actions_failed_total", ok));
      assertEquals(6, count(m, "relay_destination_attempts_total", ok, "outcome", "delivered", "status_class", "2xx"));
      assertEquals(6, count(m, "relay_destination_attempt_duration_seconds_count", ok));
      assertEquals(6, count(m, "relay_destination_attempt_duration_seconds_bucket", ok, "le", "+Inf"));

      assertEquals(3, count(m, "relay_destination_actions_queued_total", refused));
      assertEquals(0, count(m, "relay_destination_actions_delivered_total", refused));
      assertEquals(3, count(m, "relay_destination_attempts_total", refused, "outcome", "failed", "status_class", "4xx"));

      assertEquals(1, count(m, "relay_destination_actions_queued_total", flaky));
      assertEquals(0, count(m, "relay_destination_actions_failed_total", flaky));
      assertEquals(2, count(m, "relay_destination_attempts_total", flaky, "outcome", "retry", "status_class", "5xx"));
      assertEquals(1, count(m, "relay_destination_attempts_total", flaky, "outcome", "delivered", "status_class", "2xx"));
      assertEquals(3, count(m, "relay_destination_attempt_duration_seconds_count", flaky));
      assertEquals(3, recovering.received().size(), "what the destination saw");

      for (String id : new String[] {ok, refused, flaky}) {
        assertEquals(0, count(m, "relay_destination_actions_pending", id), id);
        assertEquals(0, count(m, "relay_destination_actions_retrying", id), id);
        assertEquals(0, count(m, "relay_destination_oldest_pending_age_seconds", id), id);
        assertEquals(0, count(m, "relay_destination_actions_discarded_total", id), id);
        assertEquals(
            Map.of("destination", id, "type", "webhook"),
            m.find("relay_destination_actions_queued_total", "destination", id).get(0).labels(),
            "labels: the destination's id and type only");
      }

      // Ingest: 7 tracks and 1 batch accepted, carrying 10 events; a 400 and a 401.
      assertEquals(1, value(m, "relay_ingest_requests_total", "endpoint", "batch", "result", "accepted"));
      assertEquals(6, value(m, "relay_ingest_requests_total", "endpoint", "track", "result", "accepted"));
      assertEquals(2, value(m, "relay_ingest_requests_total", "endpoint", "track", "result", "rejected"));
      assertEquals(4, value(m, "relay_ingest_events_total", "endpoint", "batch", "result", "accepted"));
      assertEquals(6, value(m, "relay_ingest_events_total", "endpoint", "track", "result", "accepted"));
      assertEquals(1, value(m, "relay_ingest_events_total", "endpoint", "track", "result", "rejected"), "the unknown key's");
      assertEquals(1, value(m, "relay_ingest_rejections_total", "endpoint", "track", "reason", "invalid"));
      assertEquals(1, value(m, "relay_ingest_rejections_total", "endpoint", "track", "reason", "unauthenticated"));
      assertEquals(1, value(m, "relay_ingest_events_per_request_count", "endpoint", "batch"));
      assertEquals(4, value(m, "relay_ingest_events_per_request_sum", "endpoint", "batch"));
      assertEquals(8, value(m, "relay_ingest_request_duration_seconds_count", "endpoint", "track"));

      // The rest of the node.
      assertTrue(value(m, "relay_journal_write_duration_seconds_count", "result", "ok") > 0);
      assertEquals(1, value(m, "relay_cluster_members", "status", "up"));
      assertEquals(0, value(m, "relay_cluster_members", "status", "down"));
      assertEquals(
          node.node().settings().readSideTags().count(), m.find("relay_read_side_lag_events").size(), "one per tag");
      assertFalse(m.find("relay_read_side_lag_seconds").isEmpty());
      // The database's size on disk, as the storage report of GET /api/read-side gives it.
      long fileBytes = node.admin("GET", "/api/read-side").json().path("storage").path("fileBytes").asLong();
      assertTrue(fileBytes > 0, "storage reported");
      assertEquals(fileBytes, value(scrape(), "relay_database_size_bytes"), fileBytes * 0.5, "the database's size, as of that report");
      assertFalse(m.find("jvm_memory_used_bytes").isEmpty());
      assertFalse(m.find("jvm_gc_pause_seconds_count").isEmpty() && m.find("jvm_threads_live_threads").isEmpty());
      assertTrue(m.find("process_cpu_usage").size() + m.find("process_uptime_seconds").size() > 0);

      // Bounded labels: no user id, message id or URL anywhere.
      for (PrometheusText.Sample sample : m.samples()) {
        for (String value : sample.labels().values()) {
          assertFalse(value.contains("user-metrics") || value.contains("msg-") || value.contains("http") || value.contains("127.0.0.1"),
              () -> "unbounded label value in " + sample);
        }
      }

      // A deleted destination's series go.
      assertEquals(200, node.admin("DELETE", "/api/destinations/" + ok).status());
      await(WAIT, "the deleted destination's series removed", () -> scrape().find("relay_destination_actions_queued_total", "destination", ok).isEmpty());
      assertTrue(scrape().samples().stream().noneMatch(s -> ok.equals(s.labels().get("destination"))));
      assertEquals(1, count(scrape(), "relay_destination_actions_queued_total", flaky), "the others stay");
    } finally {
      refusing.close();
      recovering.close();
    }
  }

  @Test
  void theScrapeIsPrometheusTextFormat() throws Exception {
    HttpResponse<String> response = get("/metrics");
    assertEquals(200, response.statusCode());
    String type = response.headers().firstValue("Content-Type").orElse("");
    assertTrue(type.startsWith("text/plain") && type.contains("version=0.0.4"), type);
    PrometheusText parsed = PrometheusText.parse(response.body());
    assertEquals("gauge", parsed.types().get("relay_cluster_members"));
    assertEquals("histogram", parsed.types().get("relay_journal_write_duration_seconds"));
    assertEquals(
        java.util.List.of("0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "5.0", "+Inf"),
        parsed.find("relay_journal_write_duration_seconds_bucket", "result", "ok").stream().map(s -> s.labels().get("le")).toList(),
        "the buckets of relay.metrics.journal-write-buckets, no more");
  }

  // --- helpers -----------------------------------------------------------------------------

  PrometheusText scrape() {
    try {
      HttpResponse<String> response = get("/metrics");
      assertEquals(200, response.statusCode());
      return PrometheusText.parse(response.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    URI uri = URI.create(node.node().managementUri().toString().replaceAll("/$", "") + path);
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static double count(PrometheusText m, String name, String destination, String... labels) {
    String[] all = new String[labels.length + 2];
    all[0] = "destination";
    all[1] = destination;
    System.arraycopy(labels, 0, all, 2, labels.length);
    return m.value(name, all).orElse(0.0);
  }

  static double value(PrometheusText m, String name, String... labels) {
    Optional<Double> value = m.value(name, labels);
    assertTrue(value.isPresent(), () -> name + " " + java.util.List.of(labels) + " missing");
    return value.get();
  }

  String webhook(String url) {
    TestNode.Answer created =
        node.admin("POST", "/api/destinations", Map.of("name", "hook", "type", "webhook", "settings", Map.of("url", url)));
    assertEquals(201, created.status(), created.body());
    return created.json().path("id").asText();
  }

  /** A source connected to {@code destinationId}; its write key. */
  String source(String destinationId) {
    TestNode.Answer source = node.admin("POST", "/api/sources", Map.of("name", "app", "type", "server"));
    assertEquals(201, source.status(), source.body());
    String id = source.json().path("id").asText();
    TestNode.Answer connected = node.admin("PUT", "/api/destinations/" + destinationId + "/sources/" + id);
    assertEquals(200, connected.status(), connected.body());
    return source.json().path("writeKey").asText();
  }

  private static String track(String messageId) {
    return "{\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"user-metrics-1\",\"messageId\":\"msg-" + messageId + "\"}";
  }

  int ingest(String path, String writeKey, String body) {
    String basic = Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    return node.send("POST", path, body, Map.of("Authorization", "Basic " + basic)).status();
  }
}
