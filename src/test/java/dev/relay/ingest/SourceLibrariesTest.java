package dev.relay.ingest;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.segment.analytics.Analytics;
import com.segment.analytics.Callback;
import com.segment.analytics.messages.AliasMessage;
import com.segment.analytics.messages.GroupMessage;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.PageMessage;
import com.segment.analytics.messages.ScreenMessage;
import com.segment.analytics.messages.TrackMessage;
import dev.relay.catalog.Outcome;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.testing.NodePerClass;
import dev.relay.testing.NodeScript;
import dev.relay.testing.StandInDestination;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/**
 * Customers' own code, unchanged but for the host: the official source libraries of Segment (Java)
 * and Customer.io (Node.js, as a real process) send every call type through a real node to a
 * webhook destination on loopback. What each library put on the wire is compared with what Relay
 * journaled and what the destination received. Runs on H2 and on PostgreSQL (see the subclasses).
 */
abstract class SourceLibrariesTest extends NodePerClass {

  static final Duration WAIT = Duration.ofSeconds(30);
  static final String UNICODE = "Ünïcode ✓ 日本語 🚀";
  static final Set<String> EVERY_TYPE = Set.of("identify", "track", "page", "screen", "group", "alias");







  /** An HTTP request as a library put it on the wire. */
  record WireRequest(String method, String url, Map<String, List<String>> headers, String body) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(h -> h.getKey().equalsIgnoreCase(name))
          .map(h -> String.join(",", h.getValue()))
          .findFirst()
          .orElse(null);
    }

    List<ObjectNode> calls() {
      List<ObjectNode> calls = new ArrayList<>();
      Pipeline.json(body).path("batch").forEach(call -> calls.add((ObjectNode) call));
      return calls;
    }
  }

  // --- Segment's Java library ----------------------------------------------------------------

  @Test
  void segmentsJavaLibraryDeliversEveryCallTypeExactlyAsJournaled() {
    Pipeline pipeline = Pipeline.connect(node, standIn.url("/segment"));
    List<WireRequest> wire = new CopyOnWriteArrayList<>();
    // A network interceptor sees each request as it goes out, after the library's own interceptors.
    OkHttpClient recording =
        new OkHttpClient.Builder()
            .addNetworkInterceptor(
                chain -> {
                  Request request = chain.request();
                  Buffer body = new Buffer();
                  if (request.body() != null) {
                    request.body().writeTo(body);
                  }
                  wire.add(
                      new WireRequest(
                          request.method(), request.url().toString(), request.headers().toMultimap(), body.readUtf8()));
                  return chain.proceed(request);
                })
            .build();
    List<String> acknowledged = new CopyOnWriteArrayList<>();
    List<String> failed = new CopyOnWriteArrayList<>();
    Analytics analytics =
        Analytics.builder(pipeline.writeKey())
            .endpoint(node.baseUrl())
            .client(recording)
            .flushQueueSize(5) // so that the 12 calls below need 3 requests
            .callback(
                new Callback() {
                  @Override
                  public void success(Message message) {
                    acknowledged.add(message.messageId());
                  }

                  @Override
                  public void failure(Message message, Throwable error) {
                    failed.add(message.messageId() + ": " + error);
                  }
                })
            .build();
    try {
      String userId = "seg-user-1";
      analytics.enqueue(IdentifyMessage.builder().userId(userId).traits(Map.of("name", UNICODE, "plan", "pro")));
      analytics.enqueue(
          TrackMessage.builder("Order Completed")
              .userId(userId)
              .properties(Map.of("note", UNICODE, "total", 42.5, "items", List.of(Map.of("sku", "a-1")))));
      analytics.enqueue(PageMessage.builder("Pricing").userId(userId).properties(Map.of("title", UNICODE)));
      analytics.enqueue(ScreenMessage.builder("Home").anonymousId("seg-anon-1").properties(Map.of("label", UNICODE)));
      analytics.enqueue(GroupMessage.builder("seg-group-1").userId(userId).traits(Map.of("name", UNICODE, "seats", 5)));
      analytics.enqueue(AliasMessage.builder("seg-anon-1").userId(userId));
      for (int i = 0; i < 6; i++) {
        analytics.enqueue(
            TrackMessage.builder("Item Viewed").anonymousId("seg-anon-1").properties(Map.of("index", i, "text", UNICODE)));
      }
      analytics.flush();
      await(WAIT, "the library's 12 callbacks", () -> acknowledged.size() + failed.size() >= 12);
    } finally {
      analytics.shutdown();
    }
    assertEquals(List.of(), failed, "calls the library could not deliver");
    assertEquals(12, acknowledged.size());

    // What Segment's Java library 3.5.4 sends: POST {endpoint}/v1/import/, the write key in the
    // body (no Authorization header), not compressed, the batch envelope carrying the context.
    List<Integer> callsPerRequest = wire.stream().map(r -> r.calls().size()).toList();
    assertEquals(List.of(5, 5, 2), callsPerRequest);
    List<ObjectNode> sent = new ArrayList<>();
    for (WireRequest request : wire) {
      assertEquals("POST", request.method());
      assertEquals(node.baseUrl() + "/v1/import/", request.url());
      assertNull(request.header("Authorization"), "Segment's Java library sends no HTTP Basic auth");
      assertNull(request.header("Content-Encoding"), "Segment's Java library does not compress");
      JsonNode envelope = Pipeline.json(request.body());
      assertEquals(pipeline.writeKey(), envelope.path("writeKey").asText());
      JsonNode library = envelope.path("context").path("library");
      assertEquals("analytics-java", library.path("name").asText(), request.body());
      for (ObjectNode call : request.calls()) {
        // The batch's context applies to each call (the calls carry none of their own here).
        ObjectNode expected = call.deepCopy();
        ObjectNode context = expected.has("context") ? (ObjectNode) expected.get("context") : expected.putObject("context");
        envelope.path("context").properties().forEach(e -> context.putIfAbsent(e.getKey(), e.getValue()));
        sent.add(expected);
      }
    }
    assertEquals(new TreeSet<>(acknowledged), messageIds(sent));

    assertDeliveredExactlyAsJournaled(pipeline, sent);
  }

  // --- Customer.io's Node library --------------------------------------------------------------

  @Test
  void customerIosNodeLibraryDeliversEveryCallTypeExactlyAsJournaled() {
    NodeScript script = NodeScript.named("send-every-call.js");
    Pipeline pipeline = Pipeline.connect(node, standIn.url("/customerio"));

    NodeScript.Result result = script.run(Duration.ofSeconds(60), node.baseUrl(), pipeline.writeKey());

    List<WireRequest> wire = new ArrayList<>();
    List<String> acknowledged = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (String line : result.stdout()) {
      JsonNode output = Pipeline.json(line);
      if (output.has("request")) {
        JsonNode request = output.path("request");
        Map<String, List<String>> headers = new HashMap<>();
        request.path("headers").properties().forEach(h -> headers.put(h.getKey(), List.of(h.getValue().asText())));
        wire.add(new WireRequest(request.path("method").asText(), request.path("url").asText(), headers, request.path("body").asText()));
      } else if (output.has("acknowledged")) {
        acknowledged.add(output.path("acknowledged").asText());
      } else {
        failed.add(line);
      }
    }
    assertEquals(List.of(), failed, "calls the library could not deliver; stderr:\n" + result.stderr());
    assertEquals(0, result.exitCode(), result.stderr());
    assertEquals(12, acknowledged.size(), String.join("\n", result.stdout()));

    // What Customer.io's Node library 0.5.9 sends: POST {host}/v1/batch with HTTP Basic auth (the
    // write key as username, empty password), not compressed, a bare {"batch": [...]}.
    List<Integer> callsPerRequest = wire.stream().map(r -> r.calls().size()).toList();
    assertEquals(List.of(5, 5, 2), callsPerRequest);
    String basic = "Basic " + Base64.getEncoder().encodeToString((pipeline.writeKey() + ":").getBytes(StandardCharsets.UTF_8));
    List<ObjectNode> sent = new ArrayList<>();
    for (WireRequest request : wire) {
      assertEquals("POST", request.method());
      assertEquals(node.baseUrl() + "/v1/batch", request.url());
      assertEquals(basic, request.header("Authorization"));
      assertNull(request.header("Content-Encoding"), "Customer.io's Node library does not compress");
      assertEquals(Set.of("batch"), fieldNames(Pipeline.json(request.body())));
      sent.addAll(request.calls());
    }
    assertEquals(new TreeSet<>(acknowledged), messageIds(sent));

    assertDeliveredExactlyAsJournaled(pipeline, sent);
  }

  // --- what both must show ------------------------------------------------------------------

  /**
   * Every call that was sent was queued once, delivered once, and the destination received exactly
   * the bodies that the journal records; each call arrived with every field as sent (the timestamp
   * moved to originalTimestamp by the clock-skew correction), unicode intact, and no write key.
   */
  private void assertDeliveredExactlyAsJournaled(Pipeline pipeline, List<ObjectNode> sent) {
    int count = sent.size();
    await(WAIT, count + " deliveries journaled", () -> delivered(pipeline) == count);
    standIn.awaitRequests(count, WAIT);

    TreeSet<String> sentIds = messageIds(sent);
    assertEquals(count, sentIds.size(), "the library gave each call its own messageId");
    List<String> queuedIds = pipeline.queued().stream().map(e -> e.path("messageId").asText()).sorted().toList();
    assertEquals(List.copyOf(sentIds), queuedIds, "each call queued exactly once");

    List<AttemptRecorded> attempts = pipeline.attempts();
    assertEquals(count, attempts.size(), "one attempt per call, none retried");
    List<String> journaledBodies = attempts.stream().map(a -> a.request().body()).sorted().toList();
    List<StandInDestination.Received> received = standIn.received();
    assertEquals(count, received.size(), "the destination received each call once");
    List<String> receivedBodies = received.stream().map(StandInDestination.Received::body).sorted().toList();
    assertEquals(journaledBodies, receivedBodies, "the destination received exactly what the journal records");

    Map<String, JsonNode> deliveredById =
        receivedBodies.stream().map(Pipeline::json).collect(Collectors.toMap(e -> e.path("messageId").asText(), e -> e));
    assertEquals(sentIds, new TreeSet<>(deliveredById.keySet()));
    assertEquals(EVERY_TYPE, deliveredById.values().stream().map(e -> e.path("type").asText()).collect(Collectors.toSet()));
    for (ObjectNode call : sent) {
      JsonNode delivered = deliveredById.get(call.path("messageId").asText());
      call.properties().forEach(field -> {
        if (field.getKey().equals("timestamp")) {
          assertEquals(field.getValue(), delivered.get("originalTimestamp"), "originalTimestamp of " + delivered);
        } else {
          assertEquals(field.getValue(), delivered.get(field.getKey()), field.getKey() + " of " + delivered);
        }
      });
      assertTrue(delivered.path("receivedAt").isTextual(), "receivedAt of " + delivered);
      assertTrue(delivered.path("timestamp").isTextual(), "timestamp of " + delivered);
    }

    long sentWithUnicode = sent.stream().filter(c -> c.toString().contains(UNICODE)).count();
    long receivedWithUnicode = receivedBodies.stream().filter(b -> b.contains(UNICODE)).count();
    assertTrue(sentWithUnicode >= 6, "the calls carry unicode text");
    assertEquals(sentWithUnicode, receivedWithUnicode, "unicode text arrives unchanged");
    for (String body : receivedBodies) {
      assertFalse(body.contains(pipeline.writeKey()), "the write key must not reach a destination: " + body);
    }
  }

  private static long delivered(Pipeline pipeline) {
    return pipeline.attempts().stream()
        .flatMap(a -> a.items().stream())
        .map(ItemOutcome::outcome)
        .filter(o -> o == Outcome.DELIVERED)
        .count();
  }

  private static TreeSet<String> messageIds(List<ObjectNode> calls) {
    return calls.stream().map(c -> c.path("messageId").asText()).collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
