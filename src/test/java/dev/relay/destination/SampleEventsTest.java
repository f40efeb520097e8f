package dev.relay.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.event.EventLimits;
import dev.relay.event.EventTypes;
import dev.relay.event.IngestParser;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SampleEventsTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void everyCallTypeHasASampleThatIngestAccepts() throws Exception {
    IngestParser parser = new IngestParser(MAPPER, EventLimits.defaults());
    for (String type : EventTypes.ALL) {
      ObjectNode sample = SampleEvents.of(type, Instant.now()).orElseThrow();
      assertEquals(type, sample.path("type").asText());
      ObjectNode parsed = parser.parse(type, MAPPER.writeValueAsBytes(sample), Instant.now()).events().get(0);
      assertEquals(sample.path("messageId"), parsed.path("messageId"), type);
    }
  }

  @Test
  void samplesCarryWhatDestinationsMapAndFreshIds() {
    Instant now = Instant.now();
    assertEquals("Order Completed", SampleEvents.of("track", now).orElseThrow().path("event").asText());
    assertTrue(SampleEvents.of("identify", now).orElseThrow().path("traits").has("email"));
    assertEquals("Pricing", SampleEvents.of("page", now).orElseThrow().path("name").asText());
    assertTrue(SampleEvents.of("group", now).orElseThrow().has("groupId"));
    assertTrue(SampleEvents.of("alias", now).orElseThrow().has("previousId"));
    assertNotEquals(
        SampleEvents.of("track", now).orElseThrow().path("messageId"),
        SampleEvents.of("track", now).orElseThrow().path("messageId"));
    assertTrue(SampleEvents.of("click", now).isEmpty());
  }
}
