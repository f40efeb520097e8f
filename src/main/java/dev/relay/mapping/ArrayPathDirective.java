package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * {@code @arrayPath: [path, itemShape?]}: the array at {@code path}, each item mapped with
 * {@code itemShape} taking the item as its root. As in mapping-kit, a single object is treated as
 * a one-item array, and without a (non-empty object) shape the value is returned as it is.
 */
final class ArrayPathDirective implements Evaluator {
  private final Evaluator source;
  private final Evaluator itemShape; // null: return the value unmapped

  private ArrayPathDirective(Evaluator source, Evaluator itemShape) {
    this.source = source;
    this.itemShape = itemShape;
  }

  static Evaluator compile(JsonNode options, String where) {
    if (!options.isArray() || options.isEmpty()) {
      throw new MappingException(where, "should be an array like [\"$.properties.products\", "
          + "{item mapping}] but it is " + MappingCompiler.describe(options));
    }
    String pathWhere = where + "[0]";
    Evaluator source = MappingCompiler.stringOrDirective(options.get(0), pathWhere,
        text -> new PathLookup(FieldPath.forPathDirective(text, pathWhere)), computed -> computed);
    JsonNode shape = options.get(1);
    Evaluator itemShape = null;
    if (shape != null && (shape.isObject() || shape.isArray())) {
      Evaluator compiled = MappingCompiler.compileValue(shape, where + "[1]");
      itemShape = shape.isObject() && !shape.isEmpty() ? compiled : null;
    }
    return new ArrayPathDirective(source, itemShape);
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    JsonNode value = source.evaluate(root);
    if (itemShape == null || value == null || !(value.isArray() || value.isObject())) {
      return value;
    }
    if (value.isObject()) {
      return mapItems(new JsonNode[] {value});
    }
    JsonNode[] items = new JsonNode[value.size()];
    for (int i = 0; i < items.length; i++) {
      items[i] = value.get(i);
    }
    return mapItems(items);
  }

  private JsonNode mapItems(JsonNode[] items) {
    ArrayNode result = new ArrayNode(JsonNodeFactory.instance, items.length);
    for (JsonNode item : items) {
      JsonNode mapped = itemShape.evaluate(item);
      result.add(mapped == null ? NullNode.getInstance() : mapped);
    }
    return result;
  }
}
