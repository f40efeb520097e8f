package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code @transform}: maps the event with {@code apply}, then maps that result with {@code mapping}. */
record TransformDirective(Evaluator apply, Evaluator mapping) implements Evaluator {
  static Evaluator compile(JsonNode options, String where) {
    DirectiveArgs args = DirectiveArgs.read(options, where, "@transform", "apply", "mapping");
    return new TransformDirective(object(args, "apply"), object(args, "mapping"));
  }

  private static Evaluator object(DirectiveArgs args, String key) {
    JsonNode value = args.required(key);
    if (!value.isObject()) {
      throw new MappingException(args.where(key),
          "should be an object but it is " + MappingCompiler.describe(value));
    }
    return MappingCompiler.compileValue(value, args.where(key));
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    return mapping.evaluate(apply.evaluate(root));
  }
}
