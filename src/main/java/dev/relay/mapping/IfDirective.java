package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code @if}: {@code exists} holds when the value is neither undefined nor null; {@code blank}
 * holds when it is also not {@code == ''} in JavaScript's loose sense (so 0, false and [] are
 * blank too). Then {@code then} or {@code else}; a missing branch gives undefined.
 */
final class IfDirective implements Evaluator {
  private final Evaluator condition;
  private final boolean blankTest;
  private final Evaluator then; // null: absent
  private final Evaluator otherwise; // null: absent or falsy (mapping-kit checks `opts.else` truthiness)

  private IfDirective(Evaluator condition, boolean blankTest, Evaluator then, Evaluator otherwise) {
    this.condition = condition;
    this.blankTest = blankTest;
    this.then = then;
    this.otherwise = otherwise;
  }

  static Evaluator compile(JsonNode options, String where) {
    DirectiveArgs args = DirectiveArgs.read(options, where, "@if", "exists", "blank", "then", "else");
    if (!args.isGivenAndTruthy("exists") && !args.isGivenAndTruthy("blank")) {
      throw args.error("@if needs an \"exists\" or a \"blank\" condition");
    }
    // mapping-kit prefers "exists" whenever the key is there, even when "blank" is given too.
    String test = args.get("exists") != null ? "exists" : "blank";
    Evaluator condition = MappingCompiler.compileValue(args.get(test), args.where(test));
    Evaluator then = args.get("then") == null ? null
        : MappingCompiler.compileValue(args.get("then"), args.where("then"));
    Evaluator otherwise = !args.isGivenAndTruthy("else") ? null
        : MappingCompiler.compileValue(args.get("else"), args.where("else"));
    return new IfDirective(condition, test.equals("blank"), then, otherwise);
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    JsonNode value = condition.evaluate(root);
    boolean holds = value != null && !value.isNull()
        && !(blankTest && JsValues.looselyEqualsEmptyString(value));
    Evaluator branch = holds ? then : otherwise;
    return branch == null ? null : branch.evaluate(root);
  }
}
