package dev.relay.ingest;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.catalog.Outcome;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.testing.Journal;
import dev.relay.testing.NodePerClass;
import dev.relay.testing.ProductionLog;
import dev.relay.testing.TestNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ingest API over real HTTP, as clients other than the official libraries will use it: what it
 * refuses (with the status, a JSON error naming the problem, and nothing stored) and what it
 * promises about keys, batches, duplicates and connections. Runs on H2 and on PostgreSQL (see the
 * subclasses).
 */
abstract class IngestHttpTest extends NodePerClass {

  static final Duration WAIT = Duration.ofSeconds(20);
  static final String UNICODE = "Ünïcode ✓ 日本語 🚀";


  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();





  // --- refusals ------------------------------------------------------------------------------

  /** Which write key a request carries. */
  enum Key {
    BASIC,
    NONE,
    UNKNOWN
  }

  /** A request Relay must refuse whole. */
  record Refusal(String path, byte[] body, boolean gzip, Key key, Set<Integer> statuses, String error) {
    static Refusal of(String path, String body, int status, String error) {
      return new Refusal(path, body.getBytes(StandardCharsets.UTF_8), false, Key.BASIC, Set.of(status), error);
    }

    static Refusal tooLarge(String path, String body, String error) {
      return new Refusal(path, body.getBytes(StandardCharsets.UTF_8), false, Key.BASIC, Set.of(400, 413), error);
    }

    Refusal gzipped() {
      return new Refusal(path, IngestHttpTest.gzip(body), true, key, statuses, error);
    }

    /** Says the body is gzip-compressed while it is not. */
    Refusal corruptGzip() {
      return new Refusal(path, body, true, key, statuses, error);
    }

    Refusal with(Key key) {
      return new Refusal(path, body, gzip, key, statuses, error);
    }
  }

  Stream<Arguments> refusals() {
    String track = "{\"userId\": \"u-1\", \"event\": \"Signed Up\", \"messageId\": \"m-refused\"}";
    return Stream.of(
        refusal("malformed JSON", Refusal.of("/v1/track", "{\"userId\": \"u-1\", \"event\": \"Signed Up\"", 400, "invalid JSON")),
        refusal("a body that is not an object", Refusal.of("/v1/track", "[" + track + "]", 400, "request body must be a JSON object")),
        refusal("an empty body", Refusal.of("/v1/identify", "", 400, "request body must be a JSON object")),
        refusal("track without event", Refusal.of("/v1/track", "{\"userId\": \"u-1\", \"messageId\": \"m-refused\"}", 400, "track requires \"event\"")),
        refusal("neither userId nor anonymousId",
            Refusal.of("/v1/identify", "{\"traits\": {\"plan\": \"pro\"}, \"messageId\": \"m-refused\"}", 400, "identify requires \"userId\" or \"anonymousId\"")),
        refusal("group without groupId", Refusal.of("/v1/group", "{\"userId\": \"u-1\", \"messageId\": \"m-refused\"}", 400, "group requires \"groupId\"")),
        refusal("alias without previousId", Refusal.of("/v1/alias", "{\"userId\": \"u-1\", \"messageId\": \"m-refused\"}", 400, "alias requires \"previousId\"")),
        refusal("properties as a string",
            Refusal.of("/v1/track", "{\"userId\": \"u-1\", \"event\": \"E\", \"properties\": \"big\", \"messageId\": \"m-refused\"}", 400, "\"properties\" must be an object")),
        refusal("event as a number", Refusal.of("/v1/track", "{\"userId\": \"u-1\", \"event\": 42, \"messageId\": \"m-refused\"}", 400, "\"event\" must be a string")),
        refusal("timestamp that is not a date",
            Refusal.of("/v1/track", "{\"userId\": \"u-1\", \"event\": \"E\", \"timestamp\": \"yesterday\", \"messageId\": \"m-refused\"}", 400, "\"timestamp\" must be an ISO-8601 date-time")),
        // An oversized event is a 400 (decided); only an oversized body may also be a 413.
        refusal("an event over 32 KB", Refusal.of("/v1/track", trackWithText("m-refused", 33 * 1024), 400, "over the 32768-byte limit")),
        refusal("a request over 500 KB", Refusal.tooLarge("/v1/batch", batchOfBytes(530_000), "over the 512000-byte limit")),
        refusal("a gzip body that inflates to over 500 KB", Refusal.tooLarge("/v1/batch", batchOfBytes(530_000), "over the 512000-byte limit").gzipped()),
        refusal("a corrupt gzip body", Refusal.of("/v1/track", track, 400, "encoding is corrupt").corruptGzip()),
        refusal("nesting deeper than 64 levels", Refusal.of("/v1/track", deeplyNested(100), 400, "nested deeper than 64 levels")),
        refusal("an empty batch", Refusal.of("/v1/batch", "{\"batch\": []}", 400, "\"batch\" must be a non-empty array")),
        refusal("an unknown type in a batch",
            Refusal.of("/v1/batch", batch(withType(goodTrack("m-good-1")), "{\"type\": \"purchase\", \"userId\": \"u-1\", \"messageId\": \"m-refused\"}"), 400, "batch[1]: unknown type \"purchase\"")),
        refusal("one bad call among good ones in a batch",
            Refusal.of("/v1/batch",
                batch(withType(goodTrack("m-good-1")), "{\"type\": \"identify\", \"userId\": \"u-1\", \"messageId\": \"m-good-2\"}", "{\"type\": \"track\", \"userId\": \"u-1\", \"messageId\": \"m-refused\"}"),
                400, "batch[2]: track requires \"event\"")),
        refusal("a missing write key", Refusal.of("/v1/track", track, 401, "missing write key").with(Key.NONE)),
        refusal("an unknown write key", Refusal.of("/v1/track", track, 401, "unknown write key").with(Key.UNKNOWN)),
        refusal("an unknown endpoint", Refusal.of("/v1/purchase", track, 404, "unknown endpoint /v1/purchase")));
  }

  private static Arguments refusal(String problem, Refusal refusal) {
    return Arguments.of(problem, refusal);
  }

  @ParameterizedTest(name = "{0} is refused and nothing is stored")
  @MethodSource("refusals")
  void aRequestThatBreaksARuleIsRefusedWithAJsonErrorAndNothingIsStored(String problem, Refusal refusal) {
    Pipeline pipeline = Pipeline.connect(node, standIn.url("/refusals"));
    Map<String, String> headers = new HashMap<>();
    switch (refusal.key()) {
      case BASIC -> headers.put("Authorization", basic(pipeline.writeKey()));
      case UNKNOWN -> headers.put("Authorization", basic("wk-nobody-has-this-key"));
      case NONE -> {}
    }
    if (refusal.gzip()) {
      headers.put("Content-Encoding", "gzip");
    }

    TestNode.Answer answer = post(refusal.path(), refusal.body(), headers);

    assertTrue(refusal.statuses().contains(answer.status()), problem + ": status " + answer.status() + ", " + answer.body());
    assertTrue(answer.json() != null && answer.json().path("error").isTextual(), "a JSON error: " + answer.body());
    String error = answer.json().path("error").asText();
    assertTrue(error.contains(refusal.error()), "the error names the problem (" + refusal.error() + "): " + error);
    assertNothingStoredBefore(pipeline, answer);
  }

  /**
   * Proves that a refused request stored nothing: a good request sent after it is acknowledged (so
   * it is journaled), and it is all that the destination's journal holds.
   */
  private void assertNothingStoredBefore(Pipeline pipeline, TestNode.Answer refused) {
    String sentinel = "m-sentinel-" + UUID.randomUUID();
    TestNode.Answer accepted = post("/v1/track", goodTrack(sentinel), pipeline.writeKey());
    assertEquals(200, accepted.status(), accepted.body());
    assertEquals(List.of(sentinel), pipeline.queuedMessageIds(pipeline.destinationId()), "after " + refused.body());
  }

  @Test
  void aTypeWithALineBreakIsLoggedAsOneLineWithTheBreakEscaped() {
    String body = batch("{\"type\": \"tr\\nZZZ FAKE ERROR\", \"userId\": \"u-1\", \"messageId\": \"m-forged\"}");
    List<ILoggingEvent> logged = ProductionLog.capture(() -> {
      TestNode.Answer refused = post("/v1/batch", body, "wk-nobody-has-this-key");
      assertEquals(400, refused.status(), refused.body());
    });
    List<String> written = logged.stream()
        .filter(e -> e.getFormattedMessage().contains("ZZZ FAKE ERROR"))
        .map(ProductionLog::encode)
        .toList();
    assertEquals(1, written.size(), written.toString());
    String line = written.get(0);
    assertTrue(line.contains("unknown type \"tr\\nZZZ FAKE ERROR\""), line);
    assertEquals(line.length() - 1, line.indexOf('\n'), "one line: " + line);
  }

  // --- what is accepted ----------------------------------------------------------------------

  @Test
  void aWriteKeyInTheBodyIsAcceptedWithoutBasicAuthAndIsNeverStored() {
    Pipeline pipeline = Pipeline.connect(node, standIn.url("/body-key"));
    String body = "{\"writeKey\": \"" + pipeline.writeKey() + "\", \"userId\": \"u-1\", \"event\": \"Signed Up\", \"messageId\": \"m-body-key\"}";

    TestNode.Answer answer = post("/v1/track", body.getBytes(StandardCharsets.UTF_8), Map.of());

    assertEquals(200, answer.status(), answer.body());
    assertEquals(true, answer.json().path("success").asBoolean());
    List<ObjectNode> queued = pipeline.queued();
    assertEquals(List.of("m-body-key"), queued.stream().map(e -> e.path("messageId").asText()).toList());
    assertFalse(queued.get(0).has("writeKey"), "the write key is a credential: " + queued.get(0));
    assertFalse(queued.get(0).toString().contains(pipeline.writeKey()), queued.get(0).toString());
  }

  @Test
  void theBatchContextAndIntegrationsApplyToEveryCallWhileACallsOwnKeysWin() {
    Pipeline pipeline = Pipeline.connect(node, standIn.url("/batch-context"));
    String body =
        "{\"batch\": ["
            + "{\"type\": \"track\", \"userId\": \"u-1\", \"event\": \"A\", \"messageId\": \"m-plain\"},"
            + "{\"type\": \"identify\", \"userId\": \"u-1\", \"messageId\": \"m-own\","
            + " \"context\": {\"ip\": \"5.6.7.8\"}, \"integrations\": {\"Mixpanel\": true}}],"
            + " \"context\": {\"ip\": \"1.2.3.4\", \"library\": {\"name\": \"curl\"}},"
            + " \"integrations\": {\"All\": false}}";

    TestNode.Answer answer = post("/v1/batch", body, pipeline.writeKey());

    assertEquals(200, answer.status(), answer.body());
    Map<String, ObjectNode> queued = byMessageId(pipeline.queued());
    assertEquals(Set.of("m-plain", "m-own"), queued.keySet());
    assertEquals(Pipeline.json("{\"ip\": \"1.2.3.4\", \"library\": {\"name\": \"curl\"}}"), queued.get("m-plain").get("context"));
    assertEquals(Pipeline.json("{\"All\": false}"), queued.get("m-plain").get("integrations"));
    assertEquals(Pipeline.json("{\"ip\": \"5.6.7.8\", \"library\": {\"name\": \"curl\"}}"), queued.get("m-own").get("context"));
    assertEquals(Pipeline.json("{\"Mixpanel\": true, \"All\": false}"), queued.get("m-own").get("integrations"));
  }

  @Test
  void aResentMessageIdIsAcknowledgedButQueuedAndDeliveredOnce() {
    Pipeline pipeline = Pipeline.connect(node, standIn.url("/dedup"));
    String call = goodTrack("m-resent");

    assertEquals(200, post("/v1/track", call, pipeline.writeKey()).status());
    assertEquals(200, post("/v1/track", call, pipeline.writeKey()).status());
    assertEquals(200, post("/v1/batch", batch(withType(call), withType(call)), pipeline.writeKey()).status());

    assertEquals(List.of("m-resent"), pipeline.queuedMessageIds(pipeline.destinationId()));
    assertDeliveredOnce(pipeline.destinationId(), "/dedup", List.of("m-resent"));
  }

  /**
   * Waits until the destination's journal records every one of its actions as delivered (final: no
   * request for them can follow), then checks the stand-in received each messageId exactly once.
   */
  void assertDeliveredOnce(String destinationId, String path, List<String> messageIds) {
    await(WAIT, messageIds.size() + " actions of " + destinationId + " journaled as delivered",
        () -> Journal.eventsOf(node.node(), destinationId, AttemptRecorded.class).stream()
            .flatMap(attempt -> attempt.items().stream())
            .filter(item -> item.outcome() == Outcome.DELIVERED)
            .count() == messageIds.size());
    List<String> received = standIn.received().stream()
        .filter(r -> r.path().equals(path))
        .map(r -> Pipeline.json(r.body()).path("messageId").asText())
        .sorted()
        .toList();
    assertEquals(messageIds.stream().sorted().toList(), received, "requests to " + path);
  }

  @Test
  void aSourceWithoutDestinationsIsAcknowledged() {
    TestNode.Answer source = node.admin("POST", "/api/sources", Map.of("name", "lonely", "type", "website"));
    assertEquals(201, source.status(), source.body());

    TestNode.Answer answer = post("/v1/track", goodTrack("m-lonely"), source.json().path("writeKey").asText());

    assertEquals(200, answer.status(), answer.body());
    assertEquals("{\"success\":true}", answer.body());
  }

  @Test
  void aDisconnectedDestinationGetsNothingFromRequestsAfterTheDisconnectReturns() {
    Pipeline pipeline = Pipeline.connect(node, standIn.url("/kept"));
    String dropped = Pipeline.webhook(node, standIn.url("/dropped"));
    pipeline.connectTo(dropped);
    assertEquals(200, post("/v1/track", goodTrack("m-before"), pipeline.writeKey()).status());

    pipeline.disconnectFrom(dropped);
    assertEquals(200, post("/v1/track", goodTrack("m-after"), pipeline.writeKey()).status());

    assertEquals(List.of("m-before", "m-after"), pipeline.queuedMessageIds(pipeline.destinationId()));
    assertEquals(List.of("m-before"), pipeline.queuedMessageIds(dropped));
    standIn.awaitRequests(3, WAIT);
    List<String> toDropped =
        standIn.received().stream()
            .filter(r -> r.path().equals("/dropped"))
            .map(r -> Pipeline.json(r.body()).path("messageId").asText())
            .toList();
    assertEquals(List.of("m-before"), toDropped);
  }

  @Test
  void aConnectionIsRecordedOnceAndBothSidesShowIt() {
    Pipeline pipeline = Pipeline.connect(node, standIn.url("/both-sides"));
    String destination = "/api/destinations/" + pipeline.destinationId();

    assertEquals(List.of(pipeline.sourceId()), texts(node.admin("GET", destination).json().path("sources")));
    assertEquals(List.of(pipeline.destinationId()), texts(node.admin("GET", "/api/sources/" + pipeline.sourceId()).json().path("destinations")));

    pipeline.disconnectFrom(pipeline.destinationId());
    assertEquals(List.of(), texts(node.admin("GET", destination).json().path("sources")));
    pipeline.connectTo(pipeline.destinationId());
    assertEquals(200, node.admin("DELETE", "/api/sources/" + pipeline.sourceId()).status());
    // A deleted source feeds nothing, so it is no destination's source any more.
    assertEquals(List.of(), texts(node.admin("GET", destination).json().path("sources")));
  }

  @Test
  void aDeletedDestinationIsDisconnectedFromItsSources() {
    Pipeline pipeline = Pipeline.connect(node, standIn.url("/stays"));
    String deleted = Pipeline.webhook(node, standIn.url("/goes"));
    pipeline.connectTo(deleted);

    TestNode.Answer answer = node.admin("DELETE", "/api/destinations/" + deleted);
    assertEquals(200, answer.status(), answer.body());
    assertEquals(List.of(pipeline.sourceId()), texts(answer.json().path("sources")), "the destination as it was");

    await(
        WAIT,
        "the deleted destination to leave its source",
        () -> texts(node.admin("GET", "/api/sources/" + pipeline.sourceId()).json().path("destinations"))
            .equals(List.of(pipeline.destinationId())));
    assertEquals(200, post("/v1/track", goodTrack("m-after-destination-delete"), pipeline.writeKey()).status());
    assertEquals(List.of("m-after-destination-delete"), pipeline.queuedMessageIds(pipeline.destinationId()));
    assertEquals(List.of(), pipeline.queuedMessageIds(deleted));
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(node -> texts.add(node.asText()));
    return texts;
  }

  @Test
  void aDeletedSourcesWriteKeyIsRefusedRightAfterTheDeleteReturns() {
    Pipeline pipeline = Pipeline.connect(node, standIn.url("/deleted-source"));
    assertEquals(200, post("/v1/track", goodTrack("m-before-delete"), pipeline.writeKey()).status());

    TestNode.Answer deleted = node.admin("DELETE", "/api/sources/" + pipeline.sourceId());
    assertEquals(200, deleted.status(), deleted.body());
    TestNode.Answer refused = post("/v1/track", goodTrack("m-after-delete"), pipeline.writeKey());

    assertEquals(401, refused.status(), refused.body());
    assertEquals("unknown write key", refused.json().path("error").asText());
    assertEquals(List.of("m-before-delete"), pipeline.queuedMessageIds(pipeline.destinationId()));
  }

  @Test
  void aGzipBodyIsDecodedAndItsUnicodeKept() {
    Pipeline pipeline = Pipeline.connect(node, standIn.url("/gzip"));
    String body = batch(withType(trackWithText("m-gzip-1", 0).replace("\"text\": \"\"", "\"text\": \"" + UNICODE + "\"")), withType(goodTrack("m-gzip-2")));
    Map<String, String> headers = Map.of("Authorization", basic(pipeline.writeKey()), "Content-Encoding", "gzip");

    TestNode.Answer answer = post("/v1/batch", gzip(body.getBytes(StandardCharsets.UTF_8)), headers);

    assertEquals(200, answer.status(), answer.body());
    Map<String, ObjectNode> queued = byMessageId(pipeline.queued());
    assertEquals(Set.of("m-gzip-1", "m-gzip-2"), queued.keySet());
    assertEquals(UNICODE, queued.get("m-gzip-1").path("properties").path("text").asText());
  }

  @Test
  void anOversizedRequestIsReadToItsEndSoTheClientSeesThe413AndKeepsItsConnection() throws IOException {
    Pipeline pipeline = Pipeline.connect(node, standIn.url("/oversized"));
    byte[] oversized = batchOfBytes(530_000).getBytes(StandardCharsets.UTF_8);
    byte[] good = goodTrack("m-after-oversized").getBytes(StandardCharsets.UTF_8);

    // One raw connection, as an SDK's keep-alive pool uses it: the 413 must arrive, and the next
    // request on the same connection must work (answering before the body is read resets it).
    try (Socket socket = new Socket("127.0.0.1", node.node().httpPort())) {
      socket.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      out.write(requestHead("/v1/batch", pipeline.writeKey(), oversized.length));
      out.write(oversized);
      out.flush();
      assertEquals(413, readStatus(in));
      out.write(requestHead("/v1/track", pipeline.writeKey(), good.length));
      out.write(good);
      out.flush();
      assertEquals(200, readStatus(in));
    }
    assertEquals(List.of("m-after-oversized"), pipeline.queuedMessageIds(pipeline.destinationId()));
  }

  @Test
  void browsersMayCallIngestCrossOrigin() throws Exception {
    HttpRequest preflight =
        HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/track"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", "https://shop.example.com")
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization, content-type")
            .build();

    HttpResponse<String> answer = http.send(preflight, HttpResponse.BodyHandlers.ofString());

    assertTrue(answer.statusCode() == 200 || answer.statusCode() == 204, "status " + answer.statusCode());
    assertEquals("*", answer.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    String allowed = answer.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase();
    assertTrue(allowed.contains("authorization") && allowed.contains("content-type"), allowed);
  }

  // --- requests ------------------------------------------------------------------------------

  TestNode.Answer post(String path, String body, String writeKey) {
    return post(path, body.getBytes(StandardCharsets.UTF_8), Map.of("Authorization", basic(writeKey)));
  }

  private TestNode.Answer post(String path, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .header("Content-Type", "application/json");
    headers.forEach(request::header);
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = null;
      if (response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
        json = Pipeline.json(response.body());
      }
      return new TestNode.Answer(response.statusCode(), json, response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static byte[] requestHead(String path, String writeKey, int contentLength) {
    return ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + basic(writeKey)
            + "\r\nContent-Type: application/json\r\nContent-Length: " + contentLength + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Reads one HTTP/1.1 response with a Content-Length off the connection; returns its status. */
  private static int readStatus(InputStream in) throws IOException {
    String statusLine = readLine(in);
    int contentLength = 0;
    for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
      if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        contentLength = Integer.parseInt(header.substring("content-length:".length()).trim());
      }
    }
    assertEquals(contentLength, in.readNBytes(contentLength).length, "the whole response body");
    return Integer.parseInt(statusLine.split(" ")[1]);
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c == -1) {
        throw new IOException("the server closed the connection; read so far: " + line);
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  private static String basic(String writeKey) {
    return "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
  }

  // --- bodies --------------------------------------------------------------------------------

  static String goodTrack(String messageId) {
    return "{\"userId\": \"u-1\", \"event\": \"Signed Up\", \"messageId\": \"" + messageId + "\"}";
  }

  /** A track call whose properties.text has {@code length} characters. */
  static String trackWithText(String messageId, int length) {
    return "{\"userId\": \"u-1\", \"event\": \"Viewed\", \"messageId\": \"" + messageId
        + "\", \"properties\": {\"text\": \"" + "x".repeat(length) + "\"}}";
  }

  static String withType(String track) {
    return "{\"type\": \"track\", " + track.substring(1);
  }

  static String batch(String... calls) {
    return "{\"batch\": [" + String.join(", ", calls) + "]}";
  }

  /** A batch of valid calls, each well under the event limit, of at least {@code bytes} in all. */
  static String batchOfBytes(int bytes) {
    StringBuilder calls = new StringBuilder();
    int i = 0;
    while (calls.length() < bytes) {
      calls.append(i == 0 ? "" : ", ").append(withType(trackWithText("m-big-" + i, 10_000)));
      i++;
    }
    return "{\"batch\": [" + calls + "]}";
  }

  static String deeplyNested(int depth) {
    return "{\"userId\": \"u-1\", \"event\": \"Deep\", \"messageId\": \"m-refused\", \"properties\": "
        + "{\"a\": ".repeat(depth) + "1" + "}".repeat(depth) + "}";
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static Map<String, ObjectNode> byMessageId(List<ObjectNode> events) {
    Map<String, ObjectNode> byId = new HashMap<>();
    events.forEach(e -> byId.put(e.path("messageId").asText(), e));
    return byId;
  }
}
