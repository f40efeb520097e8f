package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code @transform}: maps the event with {@code apply}, then maps that result with {@code mapping}. */
record TransformDirective(Evaluator apply, Evaluator mapping) implements Evaluator {
  static Evaluator compile(JsonNode options, String where) {
    DirectiveArgs args = DirectiveArgs.read(options, where, "@transform", "apply", "mapping");
    return new TransformDirective(apply(args), object(args, "mapping"));
  }

  /**
   * The root directive of a mapping ({@link MappingCompiler#ROOT_DIRECTIVE_KEY}): {@code mapping} is
   * the mapping's other keys, which replace any {@code "mapping"} written here, as in mapping-kit.
   */
  static Evaluator compileRoot(JsonNode options, String where, Evaluator siblings) {
    DirectiveArgs args = DirectiveArgs.read(options, where, "@transform", "apply", "mapping");
    return new TransformDirective(apply(args), siblings);
  }

  /** mapping-kit maps {@code apply} as a whole mapping, so it may carry a root directive of its own. */
  private static Evaluator apply(DirectiveArgs args) {
    return MappingCompiler.compileRoot(requireObject(args, "apply"), args.where("apply"));
  }

  private static Evaluator object(DirectiveArgs args, String key) {
    return MappingCompiler.compileValue(requireObject(args, key), args.where(key));
  }

  private static JsonNode requireObject(DirectiveArgs args, String key) {
    JsonNode value = args.required(key);
    if (!value.isObject()) {
      throw new MappingException(args.where(key),
          "should be an object but it is " + MappingCompiler.describe(value));
    }
    return value;
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    return mapping.evaluate(apply.evaluate(root));
  }
}
