package dev.relay.catalog;


import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
