package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns mapping JSON into a tree of {@link Evaluator}s, rejecting everything mapping-kit's
 * validator rejects, and also what mapping-kit would only fail on while running (an {@code @if}
 * without a condition, an unknown {@code @case} operator), since a mapping is checked once when
 * it is saved and then runs on every event.
 */
final class MappingCompiler {
  /** Segment's UI stores editor hints next to a directive; mapping-kit ignores them. */
  private static final String METADATA_KEY = "_metadata";
  /** Where Segment stores a directive applied to the whole event before a mapping's other keys. */
  static final String ROOT_DIRECTIVE_KEY = "__segment_internal_directive";
  private static final Pattern SIMPLE_KEY = Pattern.compile("[A-Za-z_$@][A-Za-z0-9_$@-]*");

  private MappingCompiler() {}

  static Evaluator compile(JsonNode mapping) {
    return compileRoot(mapping, "$");
  }

  /**
   * A whole mapping (the saved one, or a {@code @transform}'s {@code apply}): like any value, except
   * that a {@link #ROOT_DIRECTIVE_KEY} among its keys is a {@code @transform} of the event whose
   * result the other keys are mapped from.
   */
  static Evaluator compileRoot(JsonNode mapping, String where) {
    if (!mapping.isObject() || isDirective(mapping) || !mapping.has(ROOT_DIRECTIVE_KEY)) {
      return compileValue(mapping, where);
    }
    String at = child(where, ROOT_DIRECTIVE_KEY);
    JsonNode directive = mapping.get(ROOT_DIRECTIVE_KEY);
    if (!isDirective(directive)) {
      throw new MappingException(at, "should be a directive object such as {\"@transform\": {\"apply\": {...}}}"
          + " but it is " + describe(directive));
    }
    if (directive.size() != 1) {
      throw new MappingException(at, "should hold one directive and nothing beside it");
    }
    String name = directive.fieldNames().next();
    if (!name.equals("@transform")) {
      // mapping-kit would hand the other keys to any directive as its "mapping", which only @transform reads.
      throw new MappingException(at, "the root directive maps the event before the other keys, so it must be"
          + " @transform, not " + name);
    }
    ObjectNode siblings = ((ObjectNode) mapping).deepCopy();
    siblings.remove(ROOT_DIRECTIVE_KEY);
    return TransformDirective.compileRoot(directive.get(name), at + "." + name, compileObject(siblings, where));
  }

  /**
   * Refuses a mapping nested deeper or larger than {@code limits}, before anything recurses over it
   * further than the limit (compiling and evaluating recurse once per level).
   */
  static void checkLimits(JsonNode mapping, MappingLimits limits) {
    checkDepth(mapping, 1, limits.maxNestingDepth(), "$");
    int size = JsJson.stringify(mapping).length();
    if (size > limits.maxMappingSize()) {
      throw new MappingException("$", "is " + size + " characters of JSON, more than "
          + limits.maxMappingSize() + " (limit " + MappingLimits.MAX_MAPPING_SIZE + ")");
    }
  }

  private static void checkDepth(JsonNode node, int depth, int maxDepth, String where) {
    if (!node.isContainerNode()) {
      return;
    }
    if (depth > maxDepth) {
      throw new MappingException(where, "nested more than " + maxDepth + " levels deep (limit "
          + MappingLimits.MAX_NESTING_DEPTH + ")");
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkDepth(node.get(i), depth + 1, maxDepth, where + "[" + i + "]");
      }
      return;
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String key = names.next();
      checkDepth(node.get(key), depth + 1, maxDepth, child(where, key));
    }
  }

  /** Any mapping value: a directive, an object or array to map field by field, or a scalar. */
  static Evaluator compileValue(JsonNode node, String where) {
    if (node.isObject()) {
      return isDirective(node) ? compileDirective(node, where) : compileObject(node, where);
    }
    if (node.isArray()) {
      Evaluator[] items = new Evaluator[node.size()];
      for (int i = 0; i < items.length; i++) {
        items[i] = compileValue(node.get(i), where + "[" + i + "]");
      }
      return new ArrayShape(items);
    }
    if (node.isMissingNode()) {
      return Constant.UNDEFINED;
    }
    return new Constant(node.isNumber() ? JsNumbers.normalize(node) : node);
  }

  private static Evaluator compileObject(JsonNode node, String where) {
    List<String> keys = new ArrayList<>();
    List<Evaluator> values = new ArrayList<>();
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String key = names.next();
      keys.add(key);
      values.add(compileValue(node.get(key), child(where, key)));
    }
    return new ObjectShape(keys.toArray(String[]::new), values.toArray(Evaluator[]::new));
  }

  /** An object is a directive when any of its keys starts with {@code @}. */
  static boolean isDirective(JsonNode node) {
    if (!node.isObject()) {
      return false;
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      if (names.next().startsWith("@")) {
        return true;
      }
    }
    return false;
  }

  static Evaluator compileDirective(JsonNode node, String where) {
    String name = directiveName(node, where);
    JsonNode args = node.get(name);
    String at = where + "." + name;
    return switch (name) {
      case "@path" -> compilePath(args, at);
      case "@template" -> stringOrDirective(args, at,
          text -> Template.compile(text, at), source -> new DynamicTemplate(source, at));
      case "@literal" -> compileValue(args, at);
      case "@if" -> IfDirective.compile(args, at);
      case "@case" -> CaseDirective.compile(args, at);
      case "@replace" -> ReplaceDirective.compile(args, at);
      case "@arrayPath" -> ArrayPathDirective.compile(args, at);
      case "@json" -> JsonDirective.compile(args, at);
      case "@flatten" -> FlattenDirective.compile(args, at);
      case "@merge" -> MergeDirective.compile(args, at);
      case "@transform" -> TransformDirective.compile(args, at);
      case "@excludeWhenNull" -> new ExcludeWhenNull(compileValue(args, at));
      case "@liquid" -> LiquidDirective.compile(args, at);
      default -> throw new MappingException(where, "unknown directive " + name);
    };
  }

  /** Exactly one {@code @}-key, and nothing beside it but Segment's {@code _metadata}. */
  private static String directiveName(JsonNode node, String where) {
    List<String> directives = new ArrayList<>();
    List<String> others = new ArrayList<>();
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String key = names.next();
      if (key.startsWith("@")) {
        directives.add(key);
      } else if (!key.equals(METADATA_KEY)) {
        others.add(key);
      }
    }
    if (directives.size() > 1) {
      throw new MappingException(where,
          "an object can hold only one directive but this one has " + String.join(", ", directives));
    }
    if (!others.isEmpty()) {
      throw new MappingException(where, "a directive object can't have other keys, but "
          + directives.get(0) + " is next to \"" + String.join("\", \"", others) + "\"");
    }
    return directives.get(0);
  }

  private static Evaluator compilePath(JsonNode args, String at) {
    if (args.isArray() && args.size() > 0 && allTextual(args)) {
      List<String> keys = new ArrayList<>();
      args.forEach(key -> keys.add(key.textValue()));
      return new PathLookup(FieldPath.of(keys));
    }
    return stringOrDirective(args, at,
        text -> new PathLookup(FieldPath.forPathDirective(text, at)),
        source -> new DynamicPath(source, at));
  }

  private static boolean allTextual(JsonNode array) {
    for (JsonNode item : array) {
      if (!item.isTextual()) {
        return false;
      }
    }
    return true;
  }

  /** mapping-kit's "string or directive" arguments: a literal compiled now, or a directive's result. */
  static Evaluator stringOrDirective(JsonNode args, String at, Function<String, Evaluator> literal,
      Function<Evaluator, Evaluator> computed) {
    if (args.isTextual()) {
      return literal.apply(args.textValue());
    }
    if (isDirective(args)) {
      return computed.apply(compileDirective(args, at));
    }
    throw new MappingException(at, "should be a string or a directive but it is " + describe(args));
  }

  /** "a number", "an object", "a directive", as in mapping-kit's messages. */
  static String describe(JsonNode node) {
    String type = isDirective(node) ? "directive" : JsValues.typeName(node);
    return (type.startsWith("a") || type.startsWith("o") || type.startsWith("u") ? "an " : "a ") + type;
  }

  /** The path of {@code key} inside {@code where}: {@code $.a.b}, or {@code $.a["b c"]}. */
  static String child(String where, String key) {
    if (SIMPLE_KEY.matcher(key).matches()) {
      return where + "." + key;
    }
    StringBuilder quoted = new StringBuilder(where).append('[');
    JsJson.quote(key, quoted);
    return quoted.append(']').toString();
  }
}
