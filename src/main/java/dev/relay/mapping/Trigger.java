package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A compiled FQL trigger ({@code type = "track" and event = "Order Completed"}), evaluated as
 * Segment's destination-subscriptions evaluates it. Immutable and thread-safe.
 *
 * <p>Fields: {@code type}, {@code event}, {@code name}, {@code userId}, {@code properties.*},
 * {@code traits.*}, {@code context.*} and any other top-level field path. Operators {@code =},
 * {@code !=}, {@code <}, {@code <=}, {@code >}, {@code >=}; values are double-quoted strings,
 * numbers, {@code true}, {@code false} and {@code null}; {@code and} binds tighter than
 * {@code or}; {@code contains(field, "s")} and {@code match(field, "glob*")}, optionally negated
 * with {@code !}.
 */
public final class Trigger {
  private final String source;
  private final Condition condition;

  private Trigger(String source, Condition condition) {
    this.source = source;
    this.condition = condition;
  }

  /**
   * @throws TriggerException with the position of the problem, for a malformed trigger or one
   *     longer or more deeply nested than {@code limits} allow
   */
  public static Trigger compile(String fql, MappingLimits limits) {
    Objects.requireNonNull(fql, "fql");
    if (fql.length() > limits.maxTriggerLength()) {
      throw new TriggerException(limits.maxTriggerLength(), "longer than " + limits.maxTriggerLength()
          + " characters (limit " + MappingLimits.MAX_TRIGGER_LENGTH + ")");
    }
    return new Trigger(fql, TriggerParser.parse(fql, limits.maxNestingDepth()));
  }

  /** Whether the event matches; a null or missing event never does. */
  public boolean matches(JsonNode event) {
    if (event == null || event.isMissingNode() || event.isNull()) {
      return false;
    }
    return condition.test(event);
  }

  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "Trigger[" + source + "]";
  }
}
