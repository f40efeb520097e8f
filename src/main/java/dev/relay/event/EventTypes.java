package dev.relay.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/** The six Segment call types, and the few fields that Relay reads by name outside mappings. */
public final class EventTypes {

  public static final String TRACK = "track";
  public static final String IDENTIFY = "identify";
  public static final String PAGE = "page";
  public static final String SCREEN = "screen";
  public static final String GROUP = "group";
  public static final String ALIAS = "alias";

  public static final Set<String> ALL = Set.of(TRACK, IDENTIFY, PAGE, SCREEN, GROUP, ALIAS);

  private EventTypes() {}

  public static boolean isKnown(String type) {
    return type != null && ALL.contains(type);
  }

  /** The call's {@code type}, or null if it has none. Every event from {@link IngestParser} has one. */
  public static String type(JsonNode event) {
    return event.path("type").textValue();
  }

  /** The call's {@code messageId}, the key for de-duplication; every parsed event has one. */
  public static String messageId(JsonNode event) {
    return event.path("messageId").textValue();
  }

  /** The call's {@code userId}, or null if it has none. */
  public static String userId(JsonNode event) {
    return event.path("userId").textValue();
  }

  /** The call's {@code anonymousId}, or null if it has none. */
  public static String anonymousId(JsonNode event) {
    return event.path("anonymousId").textValue();
  }
}
