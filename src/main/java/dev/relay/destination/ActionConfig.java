package dev.relay.destination;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One action of a destination: when to act (an FQL trigger) and what to send (a mapping-kit
 * mapping), for one of the destination type's action kinds ({@code type}).
 */
public record ActionConfig(
    String id, String name, String type, String trigger, JsonNode mapping, boolean enabled) {

  public ActionConfig withEnabled(boolean enabled) {
    return new ActionConfig(id, name, type, trigger, mapping, enabled);
  }

  public ActionConfig withTrigger(String trigger) {
    return new ActionConfig(id, name, type, trigger, mapping, enabled);
  }

  public ActionConfig withMapping(JsonNode mapping) {
    return new ActionConfig(id, name, type, trigger, mapping, enabled);
  }
}
