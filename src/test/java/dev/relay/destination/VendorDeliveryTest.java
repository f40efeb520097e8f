package dev.relay.destination;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.catalog.Outcome;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.testing.Backend;
import dev.relay.testing.Journal;
import dev.relay.testing.NodePerClass;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.StandInDestination.Received;
import dev.relay.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each vendor type from ingest (a source's {@code /v1/batch}) through a loopback stand-in of the
 * vendor (its {@code endpoint} setting) to the action journal, and its API call tester; one node
 * for all of them.
 */
class VendorDeliveryTest extends NodePerClass {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Override
  protected Backend backend() {
    return Backend.H2;
  }

  // --- helpers -----------------------------------------------------------------------------

  /** A source connected to a new destination of {@code type}: the source's write key. */
  private record Wired(String destinationId, String writeKey) {}

  private Wired wire(String type, Map<String, Object> settings) {
    TestNode.Answer source = node.admin("POST", "/api/sources", Map.of("name", type + "-app", "type", "server"));
    assertEquals(201, source.status(), source.body());
    TestNode.Answer destination =
        node.admin("POST", "/api/destinations", Map.of("name", type, "type", type, "settings", settings));
    assertEquals(201, destination.status(), destination.body());
    String id = destination.json().path("id").asText();
    TestNode.Answer connected = node.admin("PUT", "/api/destinations/" + id + "/sources/" + source.json().path("id").asText());
    assertEquals(200, connected.status() / 100 * 100, connected.body());
    return new Wired(id, source.json().path("writeKey").asText());
  }

  private void ingest(Wired wired, String... calls) {
    String body = "{\"batch\": [" + String.join(",", calls) + "]}";
    String auth = "Basic " + Base64.getEncoder().encodeToString((wired.writeKey() + ":").getBytes(StandardCharsets.UTF_8));
    TestNode.Answer answer = node.send("POST", "/v1/batch", body, Map.of("Authorization", auth));
    assertEquals(200, answer.status(), answer.body());
  }

  private static String track(String messageId, String event) {
    return "{\"type\": \"track\", \"event\": \"" + event + "\", \"userId\": \"user-1\", \"messageId\": \"" + messageId
        + "\", \"properties\": {\"revenue\": 10}}";
  }

  private static String identify(String messageId) {
    return "{\"type\": \"identify\", \"userId\": \"user-1\", \"messageId\": \"" + messageId
        + "\", \"traits\": {\"email\": \"ada@example.com\", \"plan\": \"pro\"}}";
  }

  private List<ItemOutcome> outcomes(String destinationId) {
    return Journal.eventsOf(node.node(), destinationId, AttemptRecorded.class).stream().flatMap(a -> a.items().stream()).toList();
  }

  private long settled(String destinationId) {
    return outcomes(destinationId).stream().filter(o -> o.outcome() != Outcome.RETRY).count();
  }

  private List<Received> at(String pathPrefix) {
    return standIn.received().stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
  }

  /** The API call tester sends a sample {@code type} call through the destination's actions. */
  private JsonNode test(String destinationId, String type) {
    TestNode.Answer answer = node.admin("POST", "/api/destinations/" + destinationId + "/test", Map.of("type", type));
    assertEquals(200, answer.status(), answer.body());
    return answer.json().path("results");
  }

  private static JsonNode json(String text) {
    try {
      return TestNode.json().readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  // --- catalog -----------------------------------------------------------------------------

  @Test
  void theCatalogListsEveryVendorTypeWithItsSettingsSchemaSecretsWriteOnlyAndDefaultActions() {
    TestNode.Answer catalog = node.admin("GET", "/api/catalog");
    assertEquals(200, catalog.status());
    Map<String, String> secrets = Map.of("mixpanel", "apiSecret", "amplitude", "apiKey", "customerio", "apiKey", "slack", "webhookUrl", "hubspot", "accessToken");
    secrets.forEach(
        (type, secret) -> {
          JsonNode entry = null;
          for (JsonNode candidate : catalog.json()) {
            if (candidate.path("type").asText().equals(type)) {
              entry = candidate;
            }
          }
          assertTrue(entry != null, type + " is listed: " + catalog.body());
          JsonNode properties = entry.path("settings").path("properties");
          assertTrue(properties.path(secret).path("writeOnly").asBoolean(), type + "." + secret + " is writeOnly");
          assertEquals("uri", properties.path("endpoint").path("format").asText(), type + " has an endpoint");
          assertTrue(entry.path("name").isTextual(), type + " has a name");
          assertTrue(entry.path("defaultActions").size() > 0, type + " has default actions");
        });
  }

  // --- mixpanel ----------------------------------------------------------------------------

  @Test
  void mixpanelImportsTracksWithPerEventFailuresAndSetsProfilesThroughEngage() {
    Wired wired = wire("mixpanel", Map.of("projectToken", "tok-1", "apiSecret", "secret-1", "endpoint", standIn.url("/mp")));
    standIn.thenAnswer(new Answer(400,
        "{\"code\": 400, \"error\": \"some data points in the request failed validation\", \"num_records_imported\": 1,"
            + " \"failed_records\": [{\"index\": 1, \"insert_id\": \"mp-2\", \"field\": \"properties.time\", \"message\": \"invalid\"}]}",
        Map.of(), Duration.ZERO));
    ingest(wired, track("mp-1", "Signed Up"), track("mp-2", "Order Completed"));
    await(WAIT, "both tracks settled", () -> settled(wired.destinationId()) == 2);

    Received imported = at("/mp/import").get(0);
    assertEquals("/mp/import?strict=1", imported.path());
    assertEquals("Basic " + Base64.getEncoder().encodeToString("secret-1:".getBytes(StandardCharsets.UTF_8)), imported.header("Authorization"));
    JsonNode records = json(imported.body());
    assertEquals(2, records.size(), "one request for the batch");
    assertTrue(records.get(0).path("properties").path("time").isIntegralNumber());
    assertTrue(List.of("mp-1", "mp-2").contains(records.get(0).path("properties").path("$insert_id").asText()), records.toString());
    List<ItemOutcome> outcomes = outcomes(wired.destinationId());
    assertEquals(List.of(Outcome.DELIVERED, Outcome.FAILED), outcomes.stream().map(ItemOutcome::outcome).toList(),
        "the event Mixpanel named fails, the other is delivered");

    ingest(wired, identify("mp-3"));
    await(WAIT, "the identify delivered", () -> settled(wired.destinationId()) == 3);
    JsonNode update = json(at("/mp/engage").get(0).body()).get(0);
    assertEquals("tok-1", update.path("$token").asText());
    assertEquals("ada@example.com", update.path("$set").path("$email").asText());

    JsonNode results = test(wired.destinationId(), "track");
    assertEquals("delivered", results.get(0).path("outcome").asText(), results.toString());
    assertTrue(results.get(0).path("request").path("url").asText().contains("/mp/import"), results.toString());
    assertEquals("[redacted]", results.get(0).path("request").path("headers").path("Authorization").asText(), results.toString());
    TestNode.Answer shown = node.admin("GET", "/api/destinations/" + wired.destinationId());
    assertEquals("********", shown.json().path("settings").path("apiSecret").asText(), "the secret is masked");
  }

  @Test
  void aBatchIsSplitByTheCountSetting() {
    Wired wired = wire("mixpanel", Map.of("projectToken", "t", "apiSecret", "s", "batchSize", 2, "endpoint", standIn.url("/count")));
    ingest(wired, track("c-1", "A"), track("c-2", "B"), track("c-3", "C"), track("c-4", "D"), track("c-5", "E"));
    await(WAIT, "five events delivered", () -> settled(wired.destinationId()) == 5);
    List<Integer> sizes = at("/count/import").stream().map(r -> json(r.body()).size()).sorted().toList();
    assertEquals(List.of(1, 2, 2), sizes);
  }

  @Test
  void aBatchAnswered413IsSentAgainAtOnceInHalves() {
    Wired wired = wire("amplitude", Map.of("apiKey", "k", "endpoint", standIn.url("/large")));
    standIn.thenAnswer(new Answer(413, "{\"code\": 413, \"error\": \"Payload too large\"}", Map.of(), Duration.ZERO));
    ingest(wired, track("l-1", "A"), track("l-2", "B"), track("l-3", "C"), track("l-4", "D"));
    await(WAIT, "four events delivered", () -> outcomes(wired.destinationId()).stream().filter(o -> o.outcome() == Outcome.DELIVERED).count() == 4);
    List<Integer> sizes = at("/large/2/httpapi").stream().map(r -> json(r.body()).path("events").size()).toList();
    assertEquals(List.of(4, 2, 2), sizes);
  }

  // --- amplitude ---------------------------------------------------------------------------

  @Test
  void amplitudeSendsTracksToHttpV2RetryingTheValidRestOfARejectedBatch() {
    Wired wired = wire("amplitude", Map.of("apiKey", "amp-key-1", "endpoint", standIn.url("/amp")));
    standIn.thenAnswer(new Answer(400,
        "{\"code\": 400, \"error\": \"Request missing required field\", \"events_with_invalid_fields\": {\"time\": [0]}}",
        Map.of(), Duration.ZERO));
    ingest(wired, track("amp-1", "Signed Up"), track("amp-2", "Order Completed"));
    await(WAIT, "both tracks settled", () -> settled(wired.destinationId()) == 2);

    List<Received> sent = at("/amp/2/httpapi");
    assertEquals(2, sent.size(), "the rejected batch, then the valid rest: " + sent);
    JsonNode first = json(sent.get(0).body());
    assertEquals("amp-key-1", first.path("api_key").asText());
    assertEquals(2, first.path("events").size());
    assertTrue(first.path("events").get(0).path("time").isIntegralNumber());
    JsonNode resent = json(sent.get(1).body()).path("events");
    assertEquals(1, resent.size());
    assertEquals(first.path("events").get(1), resent.get(0), "the event not named is sent again as it was");
    List<Outcome> outcomes = outcomes(wired.destinationId()).stream().map(ItemOutcome::outcome).toList();
    assertEquals(List.of(Outcome.FAILED, Outcome.RETRY, Outcome.DELIVERED), outcomes);

    ingest(wired, identify("amp-3"));
    await(WAIT, "the identify delivered", () -> settled(wired.destinationId()) == 3);
    Received identified = at("/amp/identify").get(0);
    assertEquals("application/x-www-form-urlencoded", identified.header("Content-Type"));
    assertTrue(identified.body().startsWith("api_key=amp-key-1&identification="), identified.body());

    JsonNode results = test(wired.destinationId(), "identify");
    assertEquals("delivered", results.get(0).path("outcome").asText(), results.toString());
  }

  // --- customer.io -------------------------------------------------------------------------

  @Test
  void customerIoBatchesOperationsAndFailsOnlyThoseItsAnswerNames() {
    Wired wired = wire("customerio", Map.of("siteId", "site-1", "apiKey", "cio-key-1", "endpoint", standIn.url("/cio")));
    standIn.thenAnswer(new Answer(207,
        "{\"errors\": [{\"batch_index\": 0, \"reason\": \"invalid\", \"field\": \"name\", \"message\": \"name cannot be blank\"}]}",
        Map.of(), Duration.ZERO));
    ingest(wired, track("cio-1", "Signed Up"), track("cio-2", "Order Completed"));
    await(WAIT, "both tracks settled", () -> settled(wired.destinationId()) == 2);

    Received batch = at("/cio/api/v2/batch").get(0);
    assertEquals("Basic " + Base64.getEncoder().encodeToString("site-1:cio-key-1".getBytes(StandardCharsets.UTF_8)), batch.header("Authorization"));
    JsonNode operations = json(batch.body()).path("batch");
    assertEquals(2, operations.size());
    assertEquals("event", operations.get(0).path("action").asText());
    assertEquals("user-1", operations.get(0).path("identifiers").path("id").asText());
    assertTrue(operations.get(0).path("timestamp").isIntegralNumber());
    assertEquals(List.of(Outcome.FAILED, Outcome.DELIVERED),
        outcomes(wired.destinationId()).stream().map(ItemOutcome::outcome).toList());

    ingest(wired, identify("cio-3"));
    await(WAIT, "the identify delivered", () -> settled(wired.destinationId()) == 3);
    JsonNode person = json(at("/cio/api/v2/entity").get(0).body());
    assertEquals("identify", person.path("action").asText());
    assertEquals("pro", person.path("attributes").path("plan").asText());

    JsonNode results = test(wired.destinationId(), "group");
    assertEquals("delivered", results.get(0).path("outcome").asText(), results.toString());
    assertEquals("object", json(results.get(0).path("request").path("body").asText()).path("type").asText(), results.toString());
  }

  // --- slack -------------------------------------------------------------------------------

  @Test
  void slackPostsTheRenderedTemplateToTheWebhookAndNeverRecordsItsPath() {
    Wired wired = wire("slack", Map.of(
        "webhookUrl", "https://hooks.slack.com/services/T01/B02/hooksecret42",
        "template", "{{event}} for {{properties.revenue}} EUR by {{userId}}",
        "endpoint", standIn.url("/slack")));
    ingest(wired, track("sl-1", "Order Completed"));
    await(WAIT, "the message delivered", () -> settled(wired.destinationId()) == 1);

    Received posted = at("/slack").get(0);
    assertEquals("/slack/services/T01/B02/hooksecret42", posted.path());
    assertEquals("POST", posted.method());
    assertEquals(json("{\"text\": \"Order Completed for 10 EUR by user-1\"}"), json(posted.body()));
    assertEquals(Outcome.DELIVERED, outcomes(wired.destinationId()).get(0).outcome());
    List<AttemptRecorded> recorded = Journal.eventsOf(node.node(), wired.destinationId(), AttemptRecorded.class);
    assertTrue(!recorded.get(0).request().url().contains("hooksecret42"), recorded.get(0).request().url());

    JsonNode results = test(wired.destinationId(), "track");
    assertEquals("delivered", results.get(0).path("outcome").asText(), results.toString());
    assertTrue(!results.toString().contains("hooksecret42"), results.toString());
    assertEquals("********", node.admin("GET", "/api/destinations/" + wired.destinationId()).json().path("settings").path("webhookUrl").asText());
  }

  // --- hubspot -----------------------------------------------------------------------------

  @Test
  void hubspotUpsertsContactsNarrowingDownABatchItRefusesWholeAndSendsEvents() {
    Wired wired = wire("hubspot", Map.of("accessToken", "pat-secret-1", "portalId", "777", "endpoint", standIn.url("/hs")));
    String refused = "{\"status\": \"error\", \"message\": \"Property values were not valid\", \"category\": \"VALIDATION_ERROR\"}";
    standIn.thenAnswer(new Answer(400, refused, Map.of(), Duration.ZERO), new Answer(400, refused, Map.of(), Duration.ZERO));
    ingest(wired, identify("hs-1"), identify("hs-2").replace("ada@example.com", "not-an-email"));
    await(WAIT, "both contacts settled", () -> settled(wired.destinationId()) == 2);

    List<Received> upserts = at("/hs/crm/v3/objects/contacts/batch/upsert");
    assertEquals(3, upserts.size(), "the batch, then each half");
    assertEquals("Bearer pat-secret-1", upserts.get(0).header("Authorization"));
    assertEquals(2, json(upserts.get(0).body()).path("inputs").size());
    assertEquals("email", json(upserts.get(0).body()).path("inputs").get(0).path("idProperty").asText());
    assertEquals(1, json(upserts.get(1).body()).path("inputs").size());
    List<Outcome> outcomes = outcomes(wired.destinationId()).stream().map(ItemOutcome::outcome).toList();
    assertEquals(List.of(Outcome.RETRY, Outcome.RETRY), outcomes.subList(0, 2));
    assertEquals(1, outcomes.stream().filter(o -> o == Outcome.FAILED).count(), outcomes.toString());
    assertEquals(1, outcomes.stream().filter(o -> o == Outcome.DELIVERED).count(), outcomes.toString());

    standIn.thenAnswer(new Answer(204, "", Map.of(), Duration.ZERO));
    ingest(wired, track("hs-3", "Order Completed"));
    await(WAIT, "the event delivered", () -> settled(wired.destinationId()) == 3);
    JsonNode occurrence = json(at("/hs/events/v3/send").get(0).body());
    assertEquals("pe777_order_completed", occurrence.path("eventName").asText());
    assertTrue(occurrence.path("occurredAt").isTextual());

    JsonNode results = test(wired.destinationId(), "identify");
    assertEquals("delivered", results.get(0).path("outcome").asText(), results.toString());
    assertEquals("[redacted]", results.get(0).path("request").path("headers").path("Authorization").asText());
  }

  // --- webhook signing ---------------------------------------------------------------------

  @Test
  void aSignedWebhookCarriesAStandardWebhooksSignatureTheReceiverCanVerify() throws Exception {
    String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    Wired wired = wire("webhook", Map.of("url", standIn.url("/signed"), "signingSecret", secret));
    ingest(wired, track("wh-1", "Signed Up"));
    await(WAIT, "the event delivered", () -> settled(wired.destinationId()) == 1);

    Received received = at("/signed").get(0);
    String id = received.header("webhook-id");
    String timestamp = received.header("webhook-timestamp");
    assertTrue(id != null && timestamp != null, received.headers().toString());
    assertTrue(Math.abs(Long.parseLong(timestamp) - System.currentTimeMillis() / 1000) < 60, "a current timestamp");
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
    String expected = "v1," + Base64.getEncoder().encodeToString(
        mac.doFinal((id + "." + timestamp + "." + received.body()).getBytes(StandardCharsets.UTF_8)));
    assertEquals(expected, received.header("webhook-signature"));
    assertEquals("********", node.admin("GET", "/api/destinations/" + wired.destinationId()).json().path("settings").path("signingSecret").asText());

    TestNode.Answer refused = node.admin("POST", "/api/destinations",
        Map.of("name", "weak", "type", "webhook", "settings", Map.of("url", standIn.url("/x"), "signingSecret", "whsec_c2hvcnQ=")));
    assertEquals(400, refused.status(), refused.body());
    assertTrue(refused.json().path("error").asText().contains("signingSecret"), refused.body());
  }
}
