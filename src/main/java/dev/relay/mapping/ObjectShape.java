package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A plain object in the mapping: each field evaluated, undefined fields left out, null kept. */
final class ObjectShape implements Evaluator {
  private final String[] keys;
  private final Evaluator[] values;

  ObjectShape(String[] keys, Evaluator[] values) {
    this.keys = keys;
    this.values = values;
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    ObjectNode result = new ObjectNode(JsonNodeFactory.instance);
    for (int i = 0; i < keys.length; i++) {
      JsonNode value = values[i].evaluate(root);
      if (value != null) {
        result.set(keys[i], value);
      }
    }
    return result;
  }

  /**
   * {@code Object.assign(target, shape)}: unlike {@link #evaluate}, an undefined field still
   * overwrites (and so removes) what an earlier object put in {@code target}.
   */
  void assignInto(ObjectNode target, JsonNode root) {
    for (int i = 0; i < keys.length; i++) {
      JsonNode value = values[i].evaluate(root);
      if (value == null) {
        target.remove(keys[i]);
      } else {
        target.set(keys[i], value);
      }
    }
  }
}
