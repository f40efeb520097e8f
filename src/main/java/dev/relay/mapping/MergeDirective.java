package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code @merge}: {@code Object.assign({}, ...objects)}. With {@code direction: "right"} later
 * objects win; with {@code "left"} earlier ones do. Null and missing objects are skipped.
 */
final class MergeDirective implements Evaluator {
  private final Evaluator[] objectsInAssignOrder;

  private MergeDirective(Evaluator[] objectsInAssignOrder) {
    this.objectsInAssignOrder = objectsInAssignOrder;
  }

  static Evaluator compile(JsonNode options, String where) {
    DirectiveArgs args = DirectiveArgs.read(options, where, "@merge", "objects", "direction");
    String direction = args.requiredString("direction");
    String lower = direction.toLowerCase(Locale.ROOT);
    if (!lower.equals("left") && !lower.equals("right")) {
      throw new MappingException(args.where("direction"),
          "should be \"left\" or \"right\" but it is \"" + direction + "\"");
    }
    JsonNode objects = args.required("objects");
    if (!objects.isArray()) {
      throw new MappingException(args.where("objects"),
          "should be an array but it is " + MappingCompiler.describe(objects));
    }
    List<Evaluator> compiled = new ArrayList<>();
    for (int i = 0; i < objects.size(); i++) {
      JsonNode object = objects.get(i);
      String at = args.where("objects") + "[" + i + "]";
      if (!object.isObject()) {
        throw new MappingException(at, "should be an object but it is " + MappingCompiler.describe(object));
      }
      compiled.add(MappingCompiler.compileValue(object, at));
    }
    // Only exactly "left" reverses in mapping-kit; "LEFT" passes its validator but merges rightwards.
    if (direction.equals("left")) {
      Collections.reverse(compiled);
    }
    return new MergeDirective(compiled.toArray(Evaluator[]::new));
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    ObjectNode merged = new ObjectNode(JsonNodeFactory.instance);
    for (Evaluator object : objectsInAssignOrder) {
      if (object instanceof ObjectShape shape) {
        shape.assignInto(merged, root);
      } else {
        assign(merged, object.evaluate(root));
      }
    }
    return merged;
  }

  /** Object.assign's view of a source: own keys of objects, indexes of arrays and strings. */
  private static void assign(ObjectNode target, JsonNode source) {
    if (source == null) {
      return;
    }
    if (source.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        target.set(field.getKey(), field.getValue());
      }
    } else if (source.isArray()) {
      for (int i = 0; i < source.size(); i++) {
        target.set(Integer.toString(i), source.get(i));
      }
    } else if (source.isTextual()) {
      String text = source.textValue();
      for (int i = 0; i < text.length(); i++) {
        target.set(Integer.toString(i), TextNode.valueOf(String.valueOf(text.charAt(i))));
      }
    }
  }
}
