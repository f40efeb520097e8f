package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;

/** An array in the mapping, mapped element-wise; undefined elements become null, as in JSON.stringify. */
final class ArrayShape implements Evaluator {
  private final Evaluator[] items;

  ArrayShape(Evaluator[] items) {
    this.items = items;
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    ArrayNode result = new ArrayNode(JsonNodeFactory.instance, items.length);
    for (Evaluator item : items) {
      JsonNode value = item.evaluate(root);
      result.add(value == null ? NullNode.getInstance() : value);
    }
    return result;
  }
}
