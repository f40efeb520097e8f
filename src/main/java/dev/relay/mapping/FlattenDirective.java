package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code @flatten}: nested objects (and arrays, unless {@code omitArrays}) become one object whose
 * keys are the paths joined by {@code separator}: {@code {"a": {"b": 1}}} gives {@code {"a.b": 1}}.
 * As in mapping-kit, a scalar value gives {@code {"": value}}.
 */
final class FlattenDirective implements Evaluator {
  private final Evaluator value;
  private final String separator;
  private final boolean omitArrays;

  private FlattenDirective(Evaluator value, String separator, boolean omitArrays) {
    this.value = value;
    this.separator = separator;
    this.omitArrays = omitArrays;
  }

  static Evaluator compile(JsonNode options, String where) {
    DirectiveArgs args = DirectiveArgs.read(options, where, "@flatten", "value", "separator", "omitArrays");
    String separator = args.requiredString("separator");
    if (separator.isEmpty()) {
      throw new MappingException(args.where("separator"), "should not be empty");
    }
    boolean omitArrays = args.optionalBoolean("omitArrays", false);
    Evaluator value = MappingCompiler.compileValue(args.required("value"), args.where("value"));
    return new FlattenDirective(value, separator, omitArrays);
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    ObjectNode flat = new ObjectNode(JsonNodeFactory.instance);
    flatten(value.evaluate(root), "", flat);
    return flat;
  }

  private void flatten(JsonNode node, String prefix, ObjectNode flat) {
    boolean descend = node != null && (node.isObject() || (node.isArray() && !omitArrays));
    if (!descend) {
      if (node != null) {
        flat.set(prefix, node);
      }
      return;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(node.get(i), key(prefix, Integer.toString(i)), flat);
      }
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      flatten(field.getValue(), key(prefix, field.getKey()), flat);
    }
  }

  private String key(String prefix, String key) {
    return prefix.isEmpty() ? key : prefix + separator + key;
  }
}
