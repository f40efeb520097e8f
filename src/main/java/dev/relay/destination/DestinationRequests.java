package dev.relay.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The shapes of the destination API's request bodies: checked here, so the entity gets typed commands. */
final class DestinationRequests {

  private DestinationRequests() {}

  record CreateRequest(
      String name, String type, ObjectNode settings, Optional<List<ActionConfig>> actions, boolean enabled) {}

  static CreateRequest create(JsonNode body) {
    ObjectNode object = object(body, "body");
    Optional<List<ActionConfig>> actions =
        object.hasNonNull("actions") ? Optional.of(actions(object.get("actions"))) : Optional.empty();
    return new CreateRequest(
        text(object, "name", true),
        text(object, "type", true),
        object.hasNonNull("settings") ? object(object.get("settings"), "settings") : object.objectNode(),
        actions,
        bool(object, "enabled").orElse(true));
  }

  static ObjectNode settingsPatch(JsonNode body) {
    return object(body, "body");
  }

  static List<ActionConfig> actions(JsonNode body) {
    if (body == null || !body.isArray()) {
      throw Problem.invalid("actions must be an array");
    }
    List<ActionConfig> actions = new ArrayList<>();
    for (int i = 0; i < body.size(); i++) {
      ObjectNode action = object(body.get(i), "actions[" + i + "]");
      String at = "actions[" + i + "].";
      actions.add(
          new ActionConfig(
              textAt(action, "id", at, false),
              textAt(action, "name", at, true),
              textAt(action, "type", at, true),
              textAt(action, "trigger", at, true),
              mapping(action, at),
              bool(action, "enabled").orElse(true)));
    }
    return actions;
  }

  record ActionPatch(Optional<Boolean> enabled, Optional<String> trigger, Optional<JsonNode> mapping) {}

  static ActionPatch actionPatch(JsonNode body) {
    ObjectNode object = object(body, "body");
    return new ActionPatch(
        bool(object, "enabled"),
        object.has("trigger") ? Optional.of(textAt(object, "trigger", "", true)) : Optional.empty(),
        object.has("mapping") ? Optional.of(mapping(object, "")) : Optional.empty());
  }

  private static JsonNode mapping(ObjectNode action, String at) {
    JsonNode mapping = action.get("mapping");
    if (mapping == null || mapping.isNull()) {
      throw Problem.invalid(at + "mapping: required");
    }
    return mapping;
  }

  private static ObjectNode object(JsonNode node, String what) {
    if (!(node instanceof ObjectNode object)) {
      throw Problem.invalid(what + " must be a JSON object");
    }
    return object;
  }

  private static String text(ObjectNode object, String field, boolean required) {
    return textAt(object, field, "", required);
  }

  private static String textAt(ObjectNode object, String field, String at, boolean required) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw Problem.invalid(at + field + ": required");
      }
      return null;
    }
    if (!value.isTextual()) {
      throw Problem.invalid(at + field + ": must be a string");
    }
    return value.asText();
  }

  private static Optional<Boolean> bool(ObjectNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isBoolean()) {
      throw Problem.invalid(field + ": must be true or false");
    }
    return Optional.of(value.asBoolean());
  }
}
