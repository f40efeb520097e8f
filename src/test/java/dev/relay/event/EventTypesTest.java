package dev.relay.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventTypesTest {

  @Test
  void theSixSegmentCallTypesAreKnownAndNothingElse() {
    assertEquals(Set.of("track", "identify", "page", "screen", "group", "alias"), EventTypes.ALL);
    assertTrue(EventTypes.isKnown("screen"));
    assertFalse(EventTypes.isKnown("Track"));
    assertFalse(EventTypes.isKnown("batch"));
    assertFalse(EventTypes.isKnown(null));
  }

  @Test
  void fieldReadersReturnTextOrNull() {
    ObjectNode event = ParserFixture.MAPPER.createObjectNode();
    event.put("type", "track").put("messageId", "m1").put("userId", "u1").put("anonymousId", 5);
    assertEquals("track", EventTypes.type(event));
    assertEquals("m1", EventTypes.messageId(event));
    assertEquals("u1", EventTypes.userId(event));
    assertNull(EventTypes.anonymousId(event), "a number is not an id until the parser made it text");
    assertNull(EventTypes.userId(ParserFixture.MAPPER.createObjectNode()));
  }

  @Test
  void limitsThatCouldNotHoldABatchItemAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new EventLimits(0, 100, 10));
    assertThrows(IllegalArgumentException.class, () -> new EventLimits(100, 100, 2));
  }
}
