package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code @excludeWhenNull}: the wrapped value, except that null becomes undefined, so the field
 * holding it is dropped from the surrounding object instead of being sent as null; and an object
 * value loses its null-valued keys at any depth of objects, as mapping-kit's {@code cleanNulls}
 * does. Arrays, and whatever is inside them, are left as they are there too.
 */
record ExcludeWhenNull(Evaluator value) implements Evaluator {
  @Override
  public JsonNode evaluate(JsonNode root) {
    JsonNode result = value.evaluate(root);
    if (result == null || result.isNull()) {
      return null;
    }
    return withoutNullKeys(result);
  }

  /**
   * A cleaned copy, never a change in place: the value may be a sub-tree of the event. Recursion
   * is bounded by the event's nesting, which ingest and Jackson's parser limit.
   */
  private static JsonNode withoutNullKeys(JsonNode value) {
    if (!value.isObject()) {
      return value;
    }
    ObjectNode cleaned = new ObjectNode(JsonNodeFactory.instance);
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!field.getValue().isNull()) {
        cleaned.set(field.getKey(), withoutNullKeys(field.getValue()));
      }
    }
    return cleaned;
  }
}
