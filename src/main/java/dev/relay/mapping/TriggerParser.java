package dev.relay.mapping;

import dev.relay.mapping.TriggerToken.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent parser for FQL:
 *
 * <pre>
 * trigger    = or END
 * or         = and { "or" and }
 * and        = unary { "and" unary }
 * unary      = "!" function | "(" or ")" | function | comparison
 * function   = ("contains" | "match") "(" field "," value ")"
 * comparison = field ("=" | "!=" | "<" | "<=" | ">" | ">=") value
 * value      = string | number | true | false | null
 * </pre>
 *
 * {@code and} binds tighter than {@code or}. Segment's parser instead applies the last and/or
 * of a parenthesis level to all of it; Segment's own editor always adds parentheses when mixing.
 */
final class TriggerParser {
  private final List<TriggerToken> tokens;
  private final int maxDepth;
  private int next;
  private int depth;

  private TriggerParser(List<TriggerToken> tokens, int maxDepth) {
    this.tokens = tokens;
    this.maxDepth = maxDepth;
  }

  /** {@code maxDepth}: most parentheses open at once, checked before each descent. */
  static Condition parse(String fql, int maxDepth) {
    TriggerParser parser = new TriggerParser(TriggerLexer.tokens(fql), maxDepth);
    if (parser.peek().is(Kind.END)) {
      throw new TriggerException(0, "the trigger is empty; expected a condition such as type = \"track\"");
    }
    Condition condition = parser.or();
    TriggerToken last = parser.peek();
    if (!last.is(Kind.END)) {
      String hint = last.is(Kind.RIGHT_PAREN) ? "a ')' without its '('" : last.describe();
      throw new TriggerException(last.position(), "unexpected " + hint + "; expected \"and\", \"or\" or the end");
    }
    return condition;
  }

  private Condition or() {
    List<Condition> parts = new ArrayList<>(List.of(and()));
    while (peek().is(Kind.OR)) {
      next++;
      parts.add(and());
    }
    return parts.size() == 1 ? parts.get(0) : new Condition.AnyOf(parts.toArray(Condition[]::new));
  }

  private Condition and() {
    List<Condition> parts = new ArrayList<>(List.of(unary()));
    while (peek().is(Kind.AND)) {
      next++;
      parts.add(unary());
    }
    return parts.size() == 1 ? parts.get(0) : new Condition.AllOf(parts.toArray(Condition[]::new));
  }

  private Condition unary() {
    TriggerToken token = take();
    switch (token.kind()) {
      case BANG -> {
        TriggerToken name = take();
        if (!isFunction(name)) {
          throw new TriggerException(token.position(),
              "'!' can only negate contains(...) or match(...); use != to negate a comparison");
        }
        return function(name, true);
      }
      case LEFT_PAREN -> {
        if (++depth > maxDepth) {
          throw new TriggerException(token.position(), "nested more than " + maxDepth
              + " levels deep (limit " + MappingLimits.MAX_NESTING_DEPTH + ")");
        }
        Condition inner = or();
        depth--;
        TriggerToken close = take();
        if (!close.is(Kind.RIGHT_PAREN)) {
          throw new TriggerException(close.position(), "expected ')' to close the '(' at position "
              + token.position() + " but found " + close.describe());
        }
        return inner;
      }
      case FIELD -> {
        return isFunction(token) ? function(token, false) : comparison(token);
      }
      default -> throw new TriggerException(token.position(),
          "expected a condition (a field such as type, event or properties.total) but found " + token.describe());
    }
  }

  private boolean isFunction(TriggerToken token) {
    return token.is(Kind.FIELD) && (token.text().equals("contains") || token.text().equals("match"))
        && peek().is(Kind.LEFT_PAREN);
  }

  private Condition function(TriggerToken name, boolean negated) {
    take(); // "(", checked by isFunction
    TriggerToken field = expect(Kind.FIELD, "a field as the first argument of " + name.text() + "()");
    expect(Kind.COMMA, "',' after the field in " + name.text() + "()");
    TriggerToken value = take();
    boolean isMatch = name.text().equals("match");
    if (isMatch ? !value.is(Kind.STRING) : !value.isValue()) {
      throw new TriggerException(value.position(), "expected a " + (isMatch ? "\"pattern\"" : "\"string\"")
          + " as the second argument of " + name.text() + "() but found " + value.describe());
    }
    expect(Kind.RIGHT_PAREN, "')' to close " + name.text() + "(");
    EventField target = TriggerFields.resolve(field);
    String text = TriggerFields.asString(value);
    ValueTest test = isMatch
        ? new ValueTest.Matches(new Glob(text), negated)
        : new ValueTest.Contains(text, negated);
    return new Condition.FieldTest(target, test);
  }

  private Condition comparison(TriggerToken field) {
    TriggerToken operator = take();
    if (!operator.isComparison()) {
      throw new TriggerException(operator.position(),
          "expected an operator (=, !=, <, <=, >, >=) after " + field.text() + " but found " + operator.describe());
    }
    TriggerToken value = take();
    if (!value.isValue()) {
      throw new TriggerException(value.position(), "expected a value (a \"string\", a number, true, false "
          + "or null) after " + operator.text() + " but found " + value.describe());
    }
    return TriggerFields.comparison(field, operator, value);
  }

  private TriggerToken expect(Kind kind, String what) {
    TriggerToken token = take();
    if (!token.is(kind)) {
      throw new TriggerException(token.position(), "expected " + what + " but found " + token.describe());
    }
    return token;
  }

  private TriggerToken take() {
    TriggerToken token = tokens.get(next);
    if (!token.is(Kind.END)) {
      next++;
    }
    return token;
  }

  private TriggerToken peek() {
    return tokens.get(next);
  }
}
