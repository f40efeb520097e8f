package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * {@code @replace}: replaces plain text (never a regular expression) in the value, all
 * occurrences unless {@code global} is false, optionally ignoring case, then optionally a second
 * pattern. Booleans and numbers are replaced in their string form; any other non-string value
 * (null, missing, object) gives the empty string, as in mapping-kit.
 */
final class ReplaceDirective implements Evaluator {
  /** mapping-kit's limit on pattern and replacement lengths. */
  static final int MAX_LENGTH = 10;

  private final Evaluator value;
  private final TextReplacement first;
  private final TextReplacement second; // null: no pattern2

  private ReplaceDirective(Evaluator value, TextReplacement first, TextReplacement second) {
    this.value = value;
    this.first = first;
    this.second = second;
  }

  static Evaluator compile(JsonNode options, String where) {
    DirectiveArgs args = DirectiveArgs.read(options, where, "@replace",
        "pattern", "replacement", "pattern2", "replacement2", "value", "ignorecase", "global");
    String pattern = bounded(args, "pattern", args.requiredString("pattern"), 1);
    String replacement = bounded(args, "replacement", args.optionalString("replacement", ""), 0);
    String pattern2 = bounded(args, "pattern2", args.optionalString("pattern2", ""), 0);
    String replacement2 = bounded(args, "replacement2", args.optionalString("replacement2", ""), 0);
    boolean ignoreCase = args.optionalBoolean("ignorecase", false);
    boolean global = args.optionalBoolean("global", true);
    args.required("value");
    // mapping-kit evaluates only a truthy "value"; "" gives undefined.
    Evaluator value = !args.isGivenAndTruthy("value") ? Constant.UNDEFINED
        : MappingCompiler.stringOrDirective(args.get("value"), args.where("value"),
            text -> new Constant(TextNode.valueOf(text)), computed -> computed);
    return new ReplaceDirective(value,
        new TextReplacement(pattern, replacement, ignoreCase, global),
        pattern2.isEmpty() ? null : new TextReplacement(pattern2, replacement2, ignoreCase, global));
  }

  private static String bounded(DirectiveArgs args, String key, String text, int min) {
    if (text.length() < min || text.length() > MAX_LENGTH) {
      throw new MappingException(args.where(key), "should be a string of " + min + " to "
          + MAX_LENGTH + " characters but it has " + text.length());
    }
    return text;
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    JsonNode input = value.evaluate(root);
    if (input == null) {
      return value == Constant.UNDEFINED ? null : TextNode.valueOf("");
    }
    if (!input.isTextual() && !input.isBoolean() && !input.isNumber()) {
      return TextNode.valueOf("");
    }
    String text = first.apply(JsValues.toJsString(input));
    if (second != null) {
      text = second.apply(text);
    }
    return TextNode.valueOf(text);
  }
}
