package dev.relay.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.catalog.AmplitudeDestination;
import dev.relay.catalog.CustomerIoDestination;
import dev.relay.catalog.DestinationType;
import dev.relay.catalog.MixpanelDestination;
import dev.relay.mapping.Mapping;
import dev.relay.mapping.MappingLimits;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The vendors' byte limits, applied by the pipeline before anything is sent. */
class VendorByteLimitTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final AtomicInteger sent = new AtomicInteger();
  private final DeliveryPipeline pipeline =
      new DeliveryPipeline(
          (request, timeout) -> {
            sent.incrementAndGet();
            return CompletableFuture.completedFuture(new DeliveryResponse(200, "{}", Optional.empty()));
          },
          65_536, Clock.systemUTC());

  /** {@code count} events of about {@code kilobytes} KB each. */
  private static List<ObjectNode> events(int count, int kilobytes) {
    return IntStream.range(0, count)
        .mapToObj(i -> {
          ObjectNode event = JSON.createObjectNode().put("type", "track").put("event", "E").put("userId", "u-" + i);
          event.putObject("properties").put("padding", "x".repeat(kilobytes * 1024));
          return event;
        })
        .toList();
  }

  private Exchange exchange(DestinationType type, JsonNode settings, String actionType, List<ObjectNode> events) {
    // Each event's properties travel whole: event_properties for Amplitude, properties for Mixpanel, attributes for Customer.io.
    ObjectNode mapping = JSON.createObjectNode();
    for (String field : List.of("event_properties", "properties", "attributes")) {
      mapping.putObject(field).put("@path", "$.properties");
    }
    mapping.putObject("event_type").put("@path", "$.event");
    mapping.putObject("user_id").put("@path", "$.userId");
    Mapping fields = Mapping.compile(mapping, new MappingLimits(4096, 32, 65536));
    return pipeline.exchange(type, settings, actionType, fields, new ArrayList<>(events)).toCompletableFuture().join();
  }

  @Test
  void aBatchOverTheVendorsByteLimitIsNotSentAndSplitsWhileOneWithinIsSent() {
    record Case(DestinationType type, String settings, int limitKb) {}
    for (Case c : List.of(
        new Case(new AmplitudeDestination(JSON), "{\"apiKey\": \"k\"}", 1000),
        new Case(new CustomerIoDestination(JSON), "{\"siteId\": \"s\", \"apiKey\": \"k\"}", 500),
        new Case(new MixpanelDestination(JSON), "{\"projectToken\": \"t\", \"apiSecret\": \"s\"}", 10_000))) {
      JsonNode settings = read(c.settings());
      int count = c.limitKb() / 25 + 2; // 30 KB events: over the limit together, halves within it
      sent.set(0);
      Exchange over = exchange(c.type(), settings, "trackEvent", events(count, 30));
      assertEquals(0, sent.get(), c.type().type() + ": not sent");
      assertTrue(over.tooLarge() && over.reading(c.type(), count).splits(count), c.type().type() + ": " + over.error());
      Exchange within = exchange(c.type(), settings, "trackEvent", events(count / 3, 30));
      assertEquals(1, sent.get(), c.type().type() + ": a batch within the limit is sent");
      assertTrue(!within.tooLarge());
    }
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
