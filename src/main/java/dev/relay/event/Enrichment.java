package dev.relay.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** What Relay adds to every call of one request, as Segment's tracking API does. */
final class Enrichment {

  private final Instant receivedAt;
  private final String receivedAtText;
  private final ObjectNode batchContext;
  private final ObjectNode batchIntegrations;
  private final JsonNode batchSentAtText;
  private final Instant batchSentAt;

  /** For a single call: nothing comes from a batch envelope. */
  Enrichment(Instant receivedAt) {
    this(receivedAt, null, null, null, null);
  }

  /**
   * @param batchContext the batch's {@code context}, or null
   * @param batchIntegrations the batch's {@code integrations}, or null
   * @param batchSentAtText the batch's {@code sentAt} as sent, or null
   * @param batchSentAt the same, parsed
   */
  Enrichment(
      Instant receivedAt,
      ObjectNode batchContext,
      ObjectNode batchIntegrations,
      JsonNode batchSentAtText,
      Instant batchSentAt) {
    this.receivedAt = receivedAt;
    this.receivedAtText = Iso8601.format(receivedAt);
    this.batchContext = batchContext;
    this.batchIntegrations = batchIntegrations;
    this.batchSentAtText = batchSentAtText;
    this.batchSentAt = batchSentAt;
  }

  /** Completes a call that {@link EventRules#check} accepted; its original fields are kept. */
  void apply(ObjectNode event, String type, EventRules.Times times) {
    event.put("type", type);
    event.remove("writeKey"); // a credential: it must not reach the journal or a destination
    mergeUnder(event, "context", batchContext);
    mergeUnder(event, "integrations", batchIntegrations);
    if (!EventRules.hasText(event.get("messageId"))) {
      // An empty id would make every such call a duplicate of the first.
      event.put("messageId", "api-" + UUID.randomUUID());
    }
    event.put("receivedAt", receivedAtText);

    Instant sentAt = times.sentAt();
    if (sentAt == null && batchSentAt != null) {
      event.set("sentAt", batchSentAtText); // text nodes are immutable, so sharing one is safe
      sentAt = batchSentAt;
    }
    correctTimestamp(event, times, sentAt);
  }

  /**
   * Segment's clock-skew correction: timestamp = receivedAt - (sentAt - originalTimestamp), where
   * originalTimestamp is the call's timestamp as the client gave it. A client that sent only
   * originalTimestamp gets the same formula; one that sent neither is stamped with receivedAt.
   */
  private void correctTimestamp(ObjectNode event, EventRules.Times times, Instant sentAt) {
    String source = times.timestamp() != null ? "timestamp" : "originalTimestamp";
    Instant original = times.timestamp() != null ? times.timestamp() : times.originalTimestamp();
    if (original == null) {
      event.put("timestamp", receivedAtText);
      return;
    }
    event.set("originalTimestamp", event.get(source));
    Instant corrected = sentAt == null ? original : original.plus(Duration.between(sentAt, receivedAt));
    event.put("timestamp", Iso8601.format(corrected));
  }

  /**
   * Adds the batch's keys that the call lacks. Shallow on purpose: a call's own
   * {@code context.device} or {@code integrations.Mixpanel} replaces the batch's whole, so one
   * call never ends up describing a device that is half its own and half another's.
   */
  private static void mergeUnder(ObjectNode event, String field, ObjectNode batchDefaults) {
    if (batchDefaults == null) {
      return;
    }
    JsonNode own = event.get(field);
    if (!EventRules.present(own)) {
      event.set(field, batchDefaults.deepCopy());
      return;
    }
    ObjectNode target = (ObjectNode) own;
    for (Map.Entry<String, JsonNode> entry : batchDefaults.properties()) {
      if (!target.has(entry.getKey())) {
        // Copied, so that changing one stored call can never change another.
        target.set(entry.getKey(), entry.getValue().deepCopy());
      }
    }
  }
}
