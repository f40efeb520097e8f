package dev.relay.mapping;

import java.util.List;

/** One lexical token of an FQL trigger, with where it starts for error messages. */
record TriggerToken(Kind kind, String text, List<String> segments, int position) {
  enum Kind {
    FIELD, STRING, NUMBER, TRUE, FALSE, NULL, AND, OR,
    EQ, NE, LT, LE, GT, GE, BANG, LEFT_PAREN, RIGHT_PAREN, COMMA, END
  }

  static TriggerToken of(Kind kind, String text, int position) {
    return new TriggerToken(kind, text, List.of(), position);
  }

  boolean is(Kind other) {
    return kind == other;
  }

  boolean isComparison() {
    return switch (kind) {
      case EQ, NE, LT, LE, GT, GE -> true;
      default -> false;
    };
  }

  boolean isValue() {
    return switch (kind) {
      case STRING, NUMBER, TRUE, FALSE, NULL -> true;
      default -> false;
    };
  }

  /** How the token reads in an error message. */
  String describe() {
    return switch (kind) {
      case END -> "the end of the trigger";
      case STRING -> "the string \"" + text + "\"";
      default -> "\"" + text + "\"";
    };
  }
}
