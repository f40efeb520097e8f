package dev.relay.mapping;

import dev.relay.mapping.TriggerToken.Kind;
import java.util.List;

/**
 * What a comparison means for each kind of field, as Segment's parser and evaluator decide it.
 *
 * <ul>
 *   <li>{@code type} and {@code event} compare as text only: {@code event = null} is true only for
 *       the string "null", and {@code event != null} is true even when there is no event name.
 *   <li>{@code name} also knows {@code = null} (missing) and {@code != null} (exists).
 *   <li>{@code userId} also knows {@code = true} and {@code = false}.
 *   <li>{@code properties.*}, {@code traits.*}, {@code context.*} and any other field compare with
 *       {@code =} and {@code !=} against a number only number values: {@code properties.value = 123}
 *       is false for "123", and {@code != 123} is false for "123" and for a missing value.
 * </ul>
 */
final class TriggerFields {
  private enum Style { TEXT_ONLY, NAME, USER_ID, TYPED }

  private static final List<String> CONTAINERS = List.of("properties", "traits", "context");

  private TriggerFields() {}

  static EventField resolve(TriggerToken field) {
    List<String> segments = field.segments();
    String root = segments.get(0);
    if (styleOf(field) != Style.TYPED) {
      if (segments.size() > 1) {
        throw new TriggerException(field.position(), root + " has no sub-fields; write just " + root);
      }
      return EventField.topLevel(FieldPath.parse(root).orElseThrow());
    }
    if (CONTAINERS.contains(root)) {
      if (segments.size() == 1) {
        throw new TriggerException(field.position(),
            root + " needs a field name, such as " + root + ".plan");
      }
      return new EventField(root, path(field, String.join(".", segments.subList(1, segments.size()))));
    }
    return EventField.topLevel(path(field, String.join(".", segments)));
  }

  private static FieldPath path(TriggerToken field, String path) {
    return FieldPath.parse(path).orElseThrow(
        () -> new TriggerException(field.position(), "\"" + field.text() + "\" does not name a field"));
  }

  private static Style styleOf(TriggerToken field) {
    return switch (field.segments().get(0)) {
      case "type", "event" -> Style.TEXT_ONLY;
      case "name" -> Style.NAME;
      case "userId" -> Style.USER_ID;
      default -> Style.TYPED;
    };
  }

  static Condition comparison(TriggerToken field, TriggerToken operator, TriggerToken value) {
    EventField target = resolve(field);
    return new Condition.FieldTest(target, test(styleOf(field), operator, value));
  }

  private static ValueTest test(Style style, TriggerToken operator, TriggerToken value) {
    Kind op = operator.kind();
    boolean equality = op == Kind.EQ || op == Kind.NE;
    if (value.is(Kind.NULL) && !equality) {
      throw new TriggerException(value.position(), "null can only be compared with = or !=");
    }
    if (value.is(Kind.NULL) && style != Style.TEXT_ONLY) {
      return new ValueTest.Exists(op == Kind.NE);
    }
    boolean isBoolean = value.is(Kind.TRUE) || value.is(Kind.FALSE);
    if (isBoolean && op == Kind.EQ && (style == Style.USER_ID || style == Style.TYPED)) {
      return new ValueTest.IsBoolean(value.is(Kind.TRUE));
    }
    if (value.is(Kind.NUMBER) && equality && style == Style.TYPED) {
      return new ValueTest.NumberEquals(numberOf(value), op == Kind.NE);
    }
    if (equality) {
      return new ValueTest.StringEquals(asString(value), op == Kind.NE);
    }
    // Typed fields keep the literal's own type (true is 1); the others only ever see its text.
    double expected = style == Style.TYPED && isBoolean
        ? (value.is(Kind.TRUE) ? 1 : 0)
        : JsValues.stringToNumber(asString(value));
    return new ValueTest.NumberCompare(op, expected);
  }

  /** JavaScript's {@code String()} of the literal: a number as JS prints it (5.50 is "5.5"). */
  static String asString(TriggerToken value) {
    return switch (value.kind()) {
      case NUMBER -> JsNumbers.format(numberOf(value));
      case STRING -> value.text();
      default -> value.text(); // true, false, null
    };
  }

  private static double numberOf(TriggerToken value) {
    return Double.parseDouble(value.text());
  }
}
