package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code @path} with a path written in the mapping, split at compile time. */
record PathLookup(FieldPath path) implements Evaluator {
  @Override
  public JsonNode evaluate(JsonNode root) {
    return path.read(root);
  }
}
