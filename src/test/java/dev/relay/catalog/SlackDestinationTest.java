package dev.relay.catalog;

import static dev.relay.catalog.Outcome.DELIVERED;
import static dev.relay.catalog.Outcome.FAILED;
import static dev.relay.catalog.Outcome.RETRY;
import static dev.relay.catalog.VendorTypes.TRACK;
import static dev.relay.catalog.VendorTypes.json;
import static dev.relay.catalog.VendorTypes.outcomes;
import static dev.relay.catalog.VendorTypes.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlackDestinationTest {

  private final SlackDestination slack = new SlackDestination(VendorTypes.JSON);
  private static final String HOOK = "https://hooks.slack.com/services/T000/B000/XXXX";

  @Test
  void anEventIsPostedAsTextRenderedFromTheDefaultTemplate() {
    JsonNode settings = json("{\"webhookUrl\": \"" + HOOK + "\"}");
    OutgoingRequest request = slack.buildRequest(settings, "postMessage", List.of(payload(slack, "Post Message", TRACK)));
    assertEquals("POST", request.method());
    assertEquals(HOOK, request.url());
    assertEquals("application/json", request.headers().get("Content-Type"));
    assertEquals(json("{\"text\": \"Order Completed by u-1\"}"), json(request.body()));
    assertEquals(1, slack.batchSize(settings), "one message per request");
  }

  @Test
  void theTemplateSettingShapesTheMessageWithEventValuesEscaped() {
    JsonNode settings = json("{\"webhookUrl\": \"" + HOOK + "\", \"template\": \"<https://acme.test|Order> {{properties.note}} ({{properties.revenue}})\"}");
    JsonNode event = json("{\"type\": \"track\", \"properties\": {\"note\": \"<!channel> & more\", \"revenue\": 10}}");
    String text = json(slack.buildRequest(settings, "postMessage", List.of(event)).body()).path("text").asText();
    assertEquals("<https://acme.test|Order> &lt;!channel&gt; &amp; more (10)", text);
  }

  @Test
  void aMappedTextWinsOverTheTemplate() {
    JsonNode settings = json("{\"webhookUrl\": \"" + HOOK + "\"}");
    assertEquals("hello", json(slack.buildRequest(settings, "postMessage", List.of(json("{\"text\": \"hello\"}"))).body()).path("text").asText());
  }

  @Test
  void anEndpointReplacesTheHostAndKeepsTheWebhooksPath() {
    JsonNode settings = json("{\"webhookUrl\": \"" + HOOK + "\", \"endpoint\": \"http://127.0.0.1:9/slack/\"}");
    assertEquals("http://127.0.0.1:9/slack/services/T000/B000/XXXX", slack.buildRequest(settings, "postMessage", List.of(json("{}"))).url());
    assertEquals(List.of("http://127.0.0.1:9/slack/services/T000/B000/XXXX"), slack.endpoints(settings));
  }

  @Test
  void theWebhookUrlIsSecretAndNothingElseIsSentButTheText() {
    assertTrue(slack.settingsSchema().path("properties").path("webhookUrl").path("writeOnly").asBoolean());
    JsonNode body = json(slack.buildRequest(json("{\"webhookUrl\": \"" + HOOK + "\"}"), "postMessage", List.of(json(TRACK))).body());
    assertEquals(List.of("text"), List.copyOf(iterable(body.fieldNames())));
    assertFalse(body.path("text").asText().contains(HOOK));
  }

  private static <T> List<T> iterable(java.util.Iterator<T> iterator) {
    List<T> items = new java.util.ArrayList<>();
    iterator.forEachRemaining(items::add);
    return items;
  }

  @Test
  void answersAreClassified() {
    assertEquals(List.of(DELIVERED), outcomes(slack, 200, "ok", 1));
    assertEquals(List.of(FAILED), outcomes(slack, 400, "invalid_payload", 1));
    assertEquals(List.of(FAILED), outcomes(slack, 403, "invalid_token", 1));
    assertEquals(List.of(FAILED), outcomes(slack, 404, "channel_not_found", 1));
    assertEquals(List.of(FAILED), outcomes(slack, 410, "channel_is_archived", 1));
    assertEquals(List.of(RETRY), outcomes(slack, 429, "", 1));
    assertEquals(List.of(RETRY), outcomes(slack, 500, "rollup_error", 1));
  }
}
