package dev.relay.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.testing.Backend;
import dev.relay.testing.NodePerClass;
import dev.relay.testing.TestNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Over-deep triggers and mappings at every place the admin API takes one: each is a 400 naming
 * the limit, nothing is stored, and the node keeps answering. (A trigger of 100,000 parentheses
 * used to overflow the parser's stack and take the node down.)
 */
class InputLimitsTest extends NodePerClass {

  private static final int LEVELS = 100_000;
  /** A condition inside 100,000 parentheses: about 200 KB. */
  private static final String DEEP_TRIGGER = "(".repeat(LEVELS) + "type = \"track\"" + ")".repeat(LEVELS);
  /** A mapping nested 100,000 levels, as JSON text: past Jackson's own nesting limit. */
  private static final String DEEP_MAPPING = nestedJson(LEVELS);
  /** 100 levels: within Jackson's limit, past relay.mapping.max-nesting-depth. */
  private static final String MAPPING_100 = nestedJson(100);
  private static final String EVENT = "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u-1\"}";

  private static final String TRIGGER_LIMIT = "nested more than 32 levels deep (limit relay.mapping.max-nesting-depth)";
  private static final String JSON_LIMIT =
      "nested more than 1000 levels deep (limit pekko.serialization.jackson.read.max-nesting-depth)";

  private String destinationId;
  private String actionId;

  @Override
  protected Backend backend() {
    return Backend.H2;
  }

  private static String nestedJson(int levels) {
    return "{\"a\":".repeat(levels) + "1" + "}".repeat(levels);
  }

  private static String action(String trigger, String mapping) {
    return "{\"name\":\"deep\",\"type\":\"send\",\"trigger\":" + TestNode.json().valueToTree(trigger)
        + ",\"mapping\":" + mapping + "}";
  }

  private static String goodAction() {
    return action("type = \"track\"", "{\"@path\":\"$.\"}");
  }

  @BeforeEach
  void createDestination() {
    TestNode.Answer created =
        node.admin("POST", "/api/destinations",
            "{\"name\":\"hook\",\"type\":\"webhook\",\"settings\":{\"url\":\"" + standIn.url("/h") + "\"},"
                + "\"actions\":[" + goodAction() + "]}");
    assertEquals(201, created.status(), created.body());
    destinationId = created.json().path("id").asText();
    actionId = created.json().path("actions").path(0).path("id").asText();
  }

  @AfterEach
  void theNodeStillAnswersAndNothingWasStored() {
    assertEquals(200, node.management("/ready"));
    TestNode.Answer destination = node.admin("GET", "/api/destinations/" + destinationId);
    assertEquals(200, destination.status(), destination.body());
    assertEquals(1, destination.json().path("actions").size(), destination.body());
    assertEquals("type = \"track\"", destination.json().path("actions").path(0).path("trigger").asText());
    assertEquals(TestNode.json().createObjectNode().put("@path", "$."), destination.json().path("actions").path(0).path("mapping"));
  }

  private void refused(TestNode.Answer answer, String words) {
    assertEquals(400, answer.status(), answer.body());
    String error = answer.json().path("error").asText();
    assertTrue(error.contains(words), error);
  }

  private List<TestNode.Answer> everyActionEntry(String action, String patch) {
    return List.of(
        node.admin("POST", "/api/destinations",
            "{\"name\":\"h2\",\"type\":\"webhook\",\"settings\":{\"url\":\"" + standIn.url("/h") + "\"},\"actions\":[" + action + "]}"),
        node.admin("PUT", "/api/destinations/" + destinationId + "/actions", "[" + action + "]"),
        node.admin("PATCH", "/api/destinations/" + destinationId + "/actions/" + actionId, patch));
  }

  @Test
  void aTriggerOf100000LevelsIsRefusedEverywhereItIsTaken() {
    // About 200 KB: the length limit refuses it before the parser reads it.
    String tooLong = "longer than 4096 characters (limit relay.mapping.max-trigger-length)";
    for (TestNode.Answer answer :
        everyActionEntry(action(DEEP_TRIGGER, "{}"), "{\"trigger\":" + TestNode.json().valueToTree(DEEP_TRIGGER) + "}")) {
      refused(answer, "trigger: " + tooLong);
    }
    refused(
        node.admin("POST", "/api/triggers/test", Map.of("trigger", DEEP_TRIGGER, "event", Map.of("type", "track"))),
        tooLong);
    // And the node goes on working: a follow-up trigger test answers.
    TestNode.Answer followUp =
        node.admin("POST", "/api/triggers/test", Map.of("trigger", "type = \"track\"", "event", Map.of("type", "track")));
    assertEquals(200, followUp.status(), followUp.body());
    assertTrue(followUp.json().path("matches").asBoolean());
  }

  @Test
  void aTriggerOneLevelTooDeepIsRefusedEverywhereItIsTaken() {
    String trigger = "(".repeat(33) + "type = \"track\"" + ")".repeat(33);
    for (TestNode.Answer answer :
        everyActionEntry(action(trigger, "{}"), "{\"trigger\":" + TestNode.json().valueToTree(trigger) + "}")) {
      refused(answer, "trigger: " + TRIGGER_LIMIT);
    }
    refused(
        node.admin("POST", "/api/triggers/test", Map.of("trigger", trigger, "event", Map.of("type", "track"))),
        TRIGGER_LIMIT);
  }

  @Test
  void aTriggerLongerThanTheLimitIsRefused() {
    String longTrigger = "event = \"" + "x".repeat(5000) + "\"";
    for (TestNode.Answer answer :
        everyActionEntry(action(longTrigger, "{}"), "{\"trigger\":" + TestNode.json().valueToTree(longTrigger) + "}")) {
      refused(answer, "limit relay.mapping.max-trigger-length");
    }
  }

  @Test
  void aMappingOf100000LevelsIsRefusedByTheJsonLimitEverywhereItIsTaken() {
    for (TestNode.Answer answer : everyActionEntry(action("type = \"track\"", DEEP_MAPPING), "{\"mapping\":" + DEEP_MAPPING + "}")) {
      refused(answer, JSON_LIMIT);
    }
    refused(node.admin("POST", "/api/mapping/preview", "{\"mapping\":" + DEEP_MAPPING + ",\"event\":" + EVENT + "}"), JSON_LIMIT);
  }

  @Test
  void aMappingOf100LevelsIsRefusedByTheMappingLimitEverywhereItIsTaken() {
    for (TestNode.Answer answer : everyActionEntry(action("type = \"track\"", MAPPING_100), "{\"mapping\":" + MAPPING_100 + "}")) {
      refused(answer, "limit relay.mapping.max-nesting-depth");
    }
    refused(node.admin("POST", "/api/mapping/preview", "{\"mapping\":" + MAPPING_100 + ",\"event\":" + EVENT + "}"),
        "limit relay.mapping.max-nesting-depth");
  }

  @Test
  void theApiCallTestersEventIsBoundedToo() {
    String tester = "/api/destinations/" + destinationId + "/test";
    refused(node.admin("POST", tester, "{\"event\":" + DEEP_MAPPING + "}"), JSON_LIMIT);
    refused(
        node.admin("POST", tester, "{\"event\":{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"properties\":" + MAPPING_100 + "}}"),
        "nested deeper than 64 levels");
    standIn.alwaysAnswer(dev.relay.testing.StandInDestination.Answer.status(200));
    TestNode.Answer sent = node.admin("POST", tester, "{\"event\":" + EVENT + "}");
    assertEquals(200, sent.status(), sent.body());
    assertEquals(1, sent.json().path("results").size(), sent.body());
  }
}
