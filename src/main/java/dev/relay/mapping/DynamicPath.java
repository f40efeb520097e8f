package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code @path} whose path is itself computed by a directive, so it can only be split per event. */
record DynamicPath(Evaluator pathSource, String where) implements Evaluator {
  @Override
  public JsonNode evaluate(JsonNode root) {
    JsonNode path = pathSource.evaluate(root);
    if (path == null || !path.isTextual()) {
      throw new MappingException(where, "@path: expected string, got " + JsValues.typeName(path));
    }
    return FieldPath.forPathDirective(path.textValue(), where).read(root);
  }
}
