package dev.relay.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Malformed triggers are refused with the 0-based position of the problem. */
class TriggerSyntaxTest {
  private static TriggerException rejects(String fql, int position, String words) {
    TriggerException error = assertThrows(TriggerException.class, () -> Trigger.compile(fql, Mappings.LIMITS));
    assertEquals(position, error.position(), error.getMessage());
    assertTrue(error.getMessage().contains(words), error.getMessage());
    assertTrue(error.getMessage().contains("position " + position), error.getMessage());
    return error;
  }

  @Test
  void anEmptyTriggerIsRefused() {
    rejects("   ", 0, "empty");
  }

  @Test
  void anUnclosedParenthesisPointsAtTheEnd() {
    rejects("((type = \"track\")", 17, "expected ')' to close the '(' at position 0");
  }

  @Test
  void anExtraClosingParenthesisIsPointedAt() {
    rejects("type = \"track\")", 14, "')' without its '('");
  }

  @Test
  void twoBareWordsAreRefusedAtTheSecond() {
    rejects("foo bar", 4, "expected an operator");
  }

  @Test
  void aMissingValueIsRefused() {
    rejects("type = ", 7, "expected a value");
    rejects("type = and event = \"x\"", 7, "expected a value");
  }

  @Test
  void bareWordsAreNotValues() {
    rejects("type = track", 7, "expected a value");
  }

  @Test
  void singleQuotedStringsAreRefusedBecauseSegmentWouldKeepTheQuotes() {
    rejects("type = 'track'", 7, "double quotes");
  }

  @Test
  void anUnterminatedStringPointsAtItsStart() {
    rejects("event = \"Order", 8, "unterminated string");
  }

  @Test
  void bangOnlyNegatesFunctions() {
    rejects("!(type = \"track\")", 0, "can only negate contains(...) or match(...)");
  }

  @Test
  void conditionsMustBeJoinedWithAndOrOr() {
    rejects("type = \"track\" event = \"x\"", 15, "expected \"and\", \"or\" or the end");
  }

  @Test
  void functionsNeedAFieldAndAString() {
    rejects("contains(\"x\", event)", 9, "a field as the first argument");
    rejects("match(event, 5)", 13, "\"pattern\"");
    rejects("contains(event \"x\")", 15, "','");
  }

  @Test
  void nullOnlyComparesForEquality() {
    rejects("properties.x > null", 15, "null can only be compared with = or !=");
  }

  @Test
  void singleValueFieldsHaveNoSubFields() {
    rejects("event.name = \"x\"", 0, "event has no sub-fields");
  }

  @Test
  void containersNeedAFieldName() {
    rejects("properties = null", 0, "properties needs a field name");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "type = \"track\" \u00a7|15|unexpected character",
      "properties.total > 5.|20|digit after the decimal point",
      "event = \"a\\q\"|10|unknown escape",
      "properties. = 1|11|field name after '.'"})
  void lexicalErrorsArePointedAt(String fql, int position, String words) {
    rejects(fql, position, words);
  }

  @Test
  void wellFormedTriggersCompileAndKeepTheirSource() {
    String fql = "(type = \"identify\" or type = \"track\") and !contains(event, \"Test\") and properties.price >= -1.5";
    assertEquals(fql, Trigger.compile(fql, Mappings.LIMITS).source());
    Trigger.compile("type=\"track\"and properties.x!=null", Mappings.LIMITS);
    Trigger.compile("properties.my\\ key = \"v\" and match(context.page.url, \"https://*\")", Mappings.LIMITS);
  }

  @Test
  void aTriggerNestedFarPastTheLimitIsRefusedAtTheFirstParenthesisTooMany() {
    // 100,000 levels overflowed the parser's stack before the limit; now it stops at level 33.
    String fql = "(".repeat(100_000) + "type = \"track\"" + ")".repeat(100_000);
    TriggerException error = assertThrows(TriggerException.class,
        () -> Trigger.compile(fql, new MappingLimits(1_000_000, 32, 65536)));
    assertEquals(32, error.position(), error.getMessage());
    assertTrue(error.getMessage().contains("nested more than 32 levels deep (limit relay.mapping.max-nesting-depth)"),
        error.getMessage());
  }

  @Test
  void aTriggerNestedExactlyToTheLimitCompiles() {
    String fql = "(".repeat(32) + "type = \"track\"" + ")".repeat(32);
    assertTrue(Trigger.compile(fql, Mappings.LIMITS).matches(JsonAssertions.json("{\"type\": \"track\"}")));
    rejects("(" + fql + ")", 32, "limit relay.mapping.max-nesting-depth");
  }

  @Test
  void aTriggerLongerThanTheLimitIsRefusedBeforeItIsRead() {
    String fql = "event = \"" + "x".repeat(4096) + "\"";
    TriggerException error = assertThrows(TriggerException.class, () -> Trigger.compile(fql, Mappings.LIMITS));
    assertTrue(error.getMessage().contains("longer than 4096 characters (limit relay.mapping.max-trigger-length)"),
        error.getMessage());
    Trigger.compile("event = \"" + "x".repeat(4096 - 10) + "\"", Mappings.LIMITS);
  }
}
