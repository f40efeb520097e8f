package dev.relay.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final WebhookDestination webhook = new WebhookDestination(JSON);
  private final Catalog catalog = new Catalog(List.of(webhook));

  private static ObjectNode json(String text) throws Exception {
    return (ObjectNode) JSON.readTree(text);
  }

  @Test
  void secretHeaderValuesAreMaskedAndTheRestIsNot() throws Exception {
    ObjectNode settings = json("{\"url\":\"https://x.test/\",\"headers\":{\"Authorization\":\"Bearer k\",\"X-A\":\"v\"}}");
    JsonNode masked = Settings.masked(webhook.settingsSchema(), settings);
    assertEquals("https://x.test/", masked.path("url").asText());
    assertEquals(Settings.MASK, masked.path("headers").path("Authorization").asText());
    assertEquals(Settings.MASK, masked.path("headers").path("X-A").asText());
    assertEquals("Bearer k", settings.path("headers").path("Authorization").asText(), "the original is untouched");
  }

  @Test
  void secretValuesAreListedForRedaction() throws Exception {
    ObjectNode settings = json("{\"url\":\"https://x.test/\",\"headers\":{\"Authorization\":\"Bearer k\"}}");
    assertEquals(List.of("Bearer k"), Settings.secretValues(webhook.settingsSchema(), settings));
  }

  @Test
  void aPatchMergesReplacesAndRemoves() throws Exception {
    ObjectNode current = json("{\"url\":\"https://a.test/\",\"headers\":{\"A\":\"1\",\"B\":\"2\"},\"batchSize\":5}");
    ObjectNode patch = json("{\"url\":\"https://b.test/\",\"headers\":{\"B\":null,\"C\":\"3\"},\"batchSize\":null}");
    ObjectNode result = Settings.patched(webhook.settingsSchema(), current, patch);
    assertEquals(json("{\"url\":\"https://b.test/\",\"headers\":{\"A\":\"1\",\"C\":\"3\"}}"), result);
  }

  @Test
  void aMaskedSecretSentBackKeepsItsValue() throws Exception {
    ObjectNode current = json("{\"url\":\"https://a.test/\",\"headers\":{\"Authorization\":\"Bearer k\"}}");
    ObjectNode patch = json("{\"url\":\"https://b.test/\",\"headers\":{\"Authorization\":\"" + Settings.MASK + "\"}}");
    ObjectNode result = Settings.patched(webhook.settingsSchema(), current, patch);
    assertEquals("Bearer k", result.path("headers").path("Authorization").asText());
    assertEquals("https://b.test/", result.path("url").asText());
  }

  @Test
  void validSettingsPass() throws Exception {
    assertEquals(Optional.empty(), catalog.problems(webhook, json("{\"url\":\"https://x.test/\",\"batchSize\":10}")));
  }

  @Test
  void aMissingUrlIsNamed() throws Exception {
    String problem = catalog.problems(webhook, json("{\"method\":\"POST\"}")).orElseThrow();
    assertTrue(problem.contains("url"), problem);
  }

  @Test
  void aWrongTypeIsNamedWithItsField() throws Exception {
    String problem = catalog.problems(webhook, json("{\"url\":\"https://x.test/\",\"batchSize\":\"ten\"}")).orElseThrow();
    assertTrue(problem.contains("batchSize"), problem);
  }

  @Test
  void anUnknownFieldIsRefused() throws Exception {
    String problem = catalog.problems(webhook, json("{\"url\":\"https://x.test/\",\"bogus\":1}")).orElseThrow();
    assertTrue(problem.contains("bogus"), problem);
  }

  @Test
  void aNonHttpUrlIsRefused() throws Exception {
    String problem = catalog.problems(webhook, json("{\"url\":\"ftp://x.test/\"}")).orElseThrow();
    assertTrue(problem.contains("url"), problem);
  }

  @Test
  void urlQueryValuesAndUserInformationAreMaskedInTheView() throws Exception {
    ObjectNode settings = json("{\"url\":\"https://u:p@x.test/h?api_key=sk_1&v=2\"}");
    JsonNode masked = Settings.masked(webhook.settingsSchema(), settings);
    assertEquals("https://********@x.test/h?api_key=********&v=********", masked.path("url").asText());
    assertEquals("https://u:p@x.test/h?api_key=sk_1&v=2", settings.path("url").asText(), "the original is untouched");
  }

  @Test
  void aMaskedUrlSentBackKeepsTheRealOneAndANewUrlReplacesIt() throws Exception {
    ObjectNode current = json("{\"url\":\"https://x.test/h?api_key=sk_1\"}");
    ObjectNode sentBack = json("{\"url\":\"https://x.test/h?api_key=" + Settings.MASK + "\",\"timeoutMs\":500}");
    ObjectNode kept = Settings.patched(webhook.settingsSchema(), current, sentBack);
    assertEquals("https://x.test/h?api_key=sk_1", kept.path("url").asText());
    assertEquals(500, kept.path("timeoutMs").asInt());
    ObjectNode changed = Settings.patched(webhook.settingsSchema(), current, json("{\"url\":\"https://x.test/h?api_key=sk_2\"}"));
    assertEquals("https://x.test/h?api_key=sk_2", changed.path("url").asText());
  }

  @Test
  void aUrlWithAQueryStillFitsTheSchema() throws Exception {
    assertEquals(Optional.empty(), catalog.problems(webhook, json("{\"url\":\"https://x.test/h?api_key=1&x=%20y\"}")));
  }
}
