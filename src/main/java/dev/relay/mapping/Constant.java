package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/** A scalar written in the mapping, or undefined ({@code value == null}). Scalars are immutable. */
record Constant(JsonNode value) implements Evaluator {
  static final Constant UNDEFINED = new Constant(null);

  @Override
  public JsonNode evaluate(JsonNode root) {
    return value;
  }
}
