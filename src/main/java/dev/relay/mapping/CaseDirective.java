package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Locale;

/** {@code @case}: lower- or upper-cases a string value; any other value passes through unchanged. */
final class CaseDirective implements Evaluator {
  private final boolean upper;
  private final Evaluator value;

  private CaseDirective(boolean upper, Evaluator value) {
    this.upper = upper;
    this.value = value;
  }

  static Evaluator compile(JsonNode options, String where) {
    DirectiveArgs args = DirectiveArgs.read(options, where, "@case", "operator", "value");
    if (!args.isGivenAndTruthy("operator")) {
      throw args.error("@case needs an \"operator\": \"lower\" or \"upper\"");
    }
    String operator = args.requiredString("operator");
    if (!operator.equals("lower") && !operator.equals("upper")) {
      throw new MappingException(args.where("operator"),
          "should be \"lower\" or \"upper\" but it is \"" + operator + "\"");
    }
    // mapping-kit only evaluates a truthy "value"; "" or no value gives undefined.
    Evaluator value = !args.isGivenAndTruthy("value") ? Constant.UNDEFINED
        : MappingCompiler.stringOrDirective(args.get("value"), args.where("value"),
            text -> new Constant(TextNode.valueOf(text)), computed -> computed);
    return new CaseDirective(operator.equals("upper"), value);
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    JsonNode result = value.evaluate(root);
    if (result == null || !result.isTextual()) {
      return result;
    }
    String text = result.textValue();
    // Locale.ROOT: JavaScript's toUpperCase/toLowerCase ignore the host's locale.
    return TextNode.valueOf(upper ? text.toUpperCase(Locale.ROOT) : text.toLowerCase(Locale.ROOT));
  }
}
