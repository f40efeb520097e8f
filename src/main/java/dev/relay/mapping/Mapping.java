package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/** PLACEHOLDER until the mapping-kit engine lands: supports only {"@path": "$."}-style paths. */
public final class Mapping {
  private final JsonNode source;

  private Mapping(JsonNode source) {
    this.source = source;
  }

  public static Mapping compile(JsonNode mapping) {
    return new Mapping(mapping);
  }

  public JsonNode apply(JsonNode event) {
    String path = source.path("@path").asText("$.");
    if (path.equals("$.")) {
      return event;
    }
    JsonNode node = event;
    for (String step : path.substring(2).split("\\.")) {
      node = node.path(step);
    }
    return node.isMissingNode() ? MissingNode.getInstance() : node;
  }

  public JsonNode source() {
    return source;
  }
}
