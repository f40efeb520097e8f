package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Locale;

/**
 * {@code @json}: {@code encode} a value to JSON text as JSON.stringify would, or {@code decode} text
 * (text that is not JSON, and any value that is not text, comes back unchanged).
 */
final class JsonDirective implements Evaluator {
  private enum Mode { ENCODE, DECODE, NONE }

  private final Mode mode;
  private final Evaluator value;

  private JsonDirective(Mode mode, Evaluator value) {
    this.mode = mode;
    this.value = value;
  }

  static Evaluator compile(JsonNode options, String where) {
    DirectiveArgs args = DirectiveArgs.read(options, where, "@json", "mode", "value");
    String mode = args.requiredString("mode");
    if (!mode.toLowerCase(Locale.ROOT).equals("encode") && !mode.toLowerCase(Locale.ROOT).equals("decode")) {
      throw new MappingException(args.where("mode"),
          "should be \"encode\" or \"decode\" but it is \"" + mode + "\"");
    }
    args.required("value");
    if (!args.isGivenAndTruthy("value")) {
      throw args.error("@json needs a \"value\" (false, 0, \"\" and null are not values here)");
    }
    // mapping-kit's validator accepts "ENCODE", but its evaluator then matches neither mode.
    Mode chosen = switch (mode) {
      case "encode" -> Mode.ENCODE;
      case "decode" -> Mode.DECODE;
      default -> Mode.NONE;
    };
    return new JsonDirective(chosen, MappingCompiler.compileValue(args.get("value"), args.where("value")));
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    JsonNode input = value.evaluate(root);
    switch (mode) {
      case ENCODE:
        return input == null ? null : TextNode.valueOf(JsJson.stringify(input));
      case DECODE:
        if (input == null || !input.isTextual()) {
          return input;
        }
        try {
          return JsJson.parse(input.textValue());
        } catch (IllegalArgumentException e) {
          // mapping-kit hands back text that is not JSON as it is, so plain text passes through.
          return input;
        }
      default:
        return null;
    }
  }
}
