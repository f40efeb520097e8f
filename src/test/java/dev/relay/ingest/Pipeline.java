package dev.relay.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.testing.Journal;
import dev.relay.testing.TestNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * A source made through the admin API, connected to a webhook destination (default action: every
 * call, as it came, one request per call) that posts to {@code url}.
 */
record Pipeline(TestNode node, String sourceId, String writeKey, String destinationId) {

  static Pipeline connect(TestNode node, String url) {
    TestNode.Answer source = node.admin("POST", "/api/sources", Map.of("name", "app", "type", "server"));
    assertEquals(201, source.status(), source.body());
    String destinationId = webhook(node, url);
    Pipeline pipeline =
        new Pipeline(node, source.json().path("id").asText(), source.json().path("writeKey").asText(), destinationId);
    pipeline.connectTo(destinationId);
    return pipeline;
  }

  static String webhook(TestNode node, String url) {
    TestNode.Answer created =
        node.admin("POST", "/api/destinations", Map.of("name", "hook", "type", "webhook", "settings", Map.of("url", url)));
    assertEquals(201, created.status(), created.body());
    return created.json().path("id").asText();
  }

  void connectTo(String destinationId) {
    TestNode.Answer connected = node.admin("PUT", "/api/destinations/" + destinationId + "/sources/" + sourceId);
    assertEquals(200, connected.status(), connected.body());
  }

  void disconnectFrom(String destinationId) {
    TestNode.Answer disconnected = node.admin("DELETE", "/api/destinations/" + destinationId + "/sources/" + sourceId);
    assertEquals(200, disconnected.status(), disconnected.body());
  }

  /** The events the destination journaled as queued actions, in journal order. */
  List<ObjectNode> queued() {
    return queued(destinationId);
  }

  List<ObjectNode> queued(String destinationId) {
    return Journal.eventsOf(node.node(), destinationId, ActionQueued.class).stream().map(ActionQueued::event).toList();
  }

  List<String> queuedMessageIds(String destinationId) {
    return queued(destinationId).stream().map(e -> e.path("messageId").asText()).toList();
  }

  List<AttemptRecorded> attempts() {
    return Journal.eventsOf(node.node(), destinationId, AttemptRecorded.class);
  }

  static JsonNode json(String text) {
    try {
      return TestNode.json().readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
