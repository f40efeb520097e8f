package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code @template} whose template text is computed by a directive, so it is parsed per event. */
record DynamicTemplate(Evaluator templateSource, String where) implements Evaluator {
  @Override
  public JsonNode evaluate(JsonNode root) {
    JsonNode template = templateSource.evaluate(root);
    if (template == null || !template.isTextual()) {
      throw new MappingException(where, "@template: expected string, got " + JsValues.typeName(template));
    }
    return Template.compile(template.textValue(), where).evaluate(root);
  }
}
