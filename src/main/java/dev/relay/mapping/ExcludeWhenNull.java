package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code @excludeWhenNull}: the wrapped value, except that null becomes undefined, so the field
 * holding it is dropped from the surrounding object instead of being sent as null.
 */
record ExcludeWhenNull(Evaluator value) implements Evaluator {
  @Override
  public JsonNode evaluate(JsonNode root) {
    JsonNode result = value.evaluate(root);
    return result != null && result.isNull() ? null : result;
  }
}
