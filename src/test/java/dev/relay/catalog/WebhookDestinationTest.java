package dev.relay.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookDestinationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final WebhookDestination webhook = new WebhookDestination(JSON);

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void oneEventIsTheWholeBodyWithTheConfiguredMethodAndHeaders() throws Exception {
    JsonNode settings = json("{\"url\":\"https://x.test/h\",\"method\":\"PUT\",\"headers\":{\"X-Key\":\"k\"}}");
    OutgoingRequest request = webhook.buildRequest(settings, "send", List.of(json("{\"type\":\"track\"}")));
    assertEquals("PUT", request.method());
    assertEquals("https://x.test/h", request.url());
    assertEquals("k", request.headers().get("X-Key"));
    assertEquals("application/json", request.headers().get("Content-Type"));
    assertEquals(json("{\"type\":\"track\"}"), json(request.body()));
  }

  @Test
  void aBatchSizeAboveOneWrapsThePayloadsInABatch() throws Exception {
    JsonNode settings = json("{\"url\":\"https://x.test/h\",\"batchSize\":10}");
    OutgoingRequest request =
        webhook.buildRequest(settings, "send", List.of(json("{\"n\":1}"), json("{\"n\":2}")));
    assertEquals("POST", request.method());
    assertEquals(json("{\"batch\":[{\"n\":1},{\"n\":2}]}"), json(request.body()));
    assertEquals(10, webhook.batchSize(settings));
  }

  @Test
  void defaultsApplyWhenSettingsAreSilent() throws Exception {
    JsonNode settings = json("{\"url\":\"https://x.test/h\"}");
    assertEquals(1, webhook.batchSize(settings));
    assertEquals(Duration.ofSeconds(10), webhook.timeout(settings));
  }

  // --- Standard Webhooks signing -------------------------------------------------------------

  private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  @Test
  void theSignatureReproducesTheStandardWebhooksTestVector() {
    // The specification's published vector (computed by its reference libraries).
    assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        StandardWebhooks.signature(SPEC_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}"));
    assertEquals(StandardWebhooks.signature(SPEC_SECRET, "m", 1, "{}"),
        StandardWebhooks.signature(SPEC_SECRET.substring("whsec_".length()), "m", 1, "{}"), "the prefix is optional");
  }

  @Test
  void withASigningSecretEachRequestCarriesIdTimestampAndSignatureOverTheBodySent() throws Exception {
    java.time.Instant now = java.time.Instant.parse("2026-11-01T10:00:00Z");
    WebhookDestination signing = new WebhookDestination(JSON, java.time.Clock.fixed(now, java.time.ZoneOffset.UTC));
    JsonNode settings = json("{\"url\":\"https://x.test/h\",\"signingSecret\":\"" + SPEC_SECRET + "\"}");
    OutgoingRequest request = signing.buildRequest(settings, "send", List.of(json("{\"messageId\":\"m-1\"}")));
    String id = request.headers().get("webhook-id");
    assertTrue(id.startsWith("msg_"), id);
    assertEquals(Long.toString(now.getEpochSecond()), request.headers().get("webhook-timestamp"));
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(java.util.Base64.getDecoder().decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "HmacSHA256"));
    String expected = "v1," + java.util.Base64.getEncoder().encodeToString(
        mac.doFinal((id + "." + now.getEpochSecond() + "." + request.body()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertEquals(expected, request.headers().get("webhook-signature"));

    WebhookDestination later = new WebhookDestination(JSON, java.time.Clock.fixed(now.plusSeconds(60), java.time.ZoneOffset.UTC));
    OutgoingRequest retry = later.buildRequest(settings, "send", List.of(json("{\"messageId\":\"m-1\"}")));
    assertEquals(id, retry.headers().get("webhook-id"), "a retry of the message keeps its id");
    assertEquals(Long.toString(now.getEpochSecond() + 60), retry.headers().get("webhook-timestamp"));
    assertTrue(!id.equals(signing.buildRequest(settings, "send", List.of(json("{\"messageId\":\"m-2\"}"))).headers().get("webhook-id")));
    assertTrue(!webhook.buildRequest(json("{\"url\":\"https://x.test/h\"}"), "send", List.of(json("{}"))).headers().containsKey("webhook-signature"),
        "unsigned without a secret");
  }

  @Test
  void aSigningSecretIsWriteOnlyAndMustBeBase64OfEnoughBytes() throws Exception {
    assertTrue(webhook.settingsSchema().path("properties").path("signingSecret").path("writeOnly").asBoolean());
    assertTrue(webhook.settingsProblem(json("{\"url\":\"https://x.test/h\",\"signingSecret\":\"whsec_c2hvcnQ=\"}")).orElseThrow().contains("24 to 64 bytes"));
    assertTrue(webhook.settingsProblem(json("{\"url\":\"https://x.test/h\",\"signingSecret\":\"" + SPEC_SECRET + "\"}")).isEmpty());
  }
}
