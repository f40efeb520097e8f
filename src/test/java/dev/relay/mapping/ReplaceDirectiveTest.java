package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static dev.relay.mapping.Mappings.apply;
import static dev.relay.mapping.Mappings.rejects;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ReplaceDirectiveTest {
  private static JsonNode replace(String options, String value) {
    return apply("{\"@replace\": {" + options + ", \"value\": {\"@path\": \"$.a\"}}}", "{\"a\": " + value + "}");
  }

  @Test
  void replacesEveryOccurrenceByDefault() {
    assertJsonEquals("\"many_different_things\"",
        replace("\"pattern\": \"+\", \"replacement\": \"_\"", "\"many+different+things\""));
  }

  @Test
  void globalFalseReplacesOnlyTheFirst() {
    assertJsonEquals("\"many_different+things\"", replace("\"pattern\": \"+\", \"replacement\": \"_\", \"global\": false", "\"many+different+things\""));
  }

  @Test
  void ignorecaseMatchesAnyCase() {
    assertJsonEquals("\"nice-nice-nice\"", replace("\"pattern\": \"AaB\", \"replacement\": \"nice\", \"ignorecase\": true", "\"aab-AaB-aAB\""));
    assertJsonEquals("\"aab-nice-aAB\"", replace("\"pattern\": \"AaB\", \"replacement\": \"nice\"", "\"aab-AaB-aAB\""));
  }

  @Test
  void thePatternIsPlainTextNotARegularExpression() {
    assertJsonEquals("\"a-b-c\"", replace("\"pattern\": \".*\", \"replacement\": \"-\"", "\"a.*b.*c\""));
  }

  @Test
  void aMissingReplacementRemovesThePattern() {
    assertJsonEquals("\"different+things\"", replace("\"pattern\": \"many+\"", "\"many+different+things\""));
  }

  @Test
  void javaScriptReplacementPatternsStillApply() {
    assertJsonEquals("\"[ab]c $\"", replace("\"pattern\": \"ab\", \"replacement\": \"[$&]\"", "\"abc $\""));
    assertJsonEquals("\"$c\"", replace("\"pattern\": \"ab\", \"replacement\": \"$$\"", "\"abc\""));
  }

  @Test
  void aSecondPatternIsAppliedAfterTheFirst() {
    assertJsonEquals("\"something awesome!\"", replace(
        "\"pattern\": \"-\", \"replacement\": \" \", \"pattern2\": \"great\", \"replacement2\": \"awesome\"",
        "\"something-great!\""));
  }

  @Test
  void booleansAndNumbersAreReplacedInTheirStringForm() {
    assertJsonEquals("\"granted\"", replace("\"pattern\": \"true\", \"replacement\": \"granted\"", "true"));
    assertJsonEquals("\"12,5\"", replace("\"pattern\": \".\", \"replacement\": \",\"", "12.5"));
  }

  @Test
  void nullMissingAndObjectValuesGiveAnEmptyString() {
    assertJsonEquals("\"\"", replace("\"pattern\": \"x\"", "null"));
    assertJsonEquals("\"\"", replace("\"pattern\": \"x\"", "{\"b\": 1}"));
    assertJsonEquals("{\"v\": \"\"}", apply("{\"v\": {\"@replace\": {\"pattern\": \"x\", \"value\": {\"@path\": \"$.nope\"}}}}"));
  }

  @Test
  void patternsAndReplacementsAreLimitedToTenCharacters() {
    rejects("{\"v\": {\"@replace\": {\"pattern\": \"waaaaytoolong\", \"value\": \"x\"}}}",
        "$.v.@replace.pattern", "1 to 10 characters");
    rejects("{\"v\": {\"@replace\": {\"pattern\": \"\", \"value\": \"x\"}}}", "$.v.@replace.pattern", "1 to 10");
    rejects("{\"v\": {\"@replace\": {\"pattern\": \"a\", \"replacement2\": \"waaaaytoolong\", \"value\": \"x\"}}}",
        "$.v.@replace.replacement2", "0 to 10");
  }

  @Test
  void wrongOptionTypesAreRejected() {
    rejects("{\"v\": {\"@replace\": {\"pattern\": \"a\", \"global\": \"yes\", \"value\": \"x\"}}}",
        "$.v.@replace.global", "should be a boolean but it is a string");
    rejects("{\"v\": {\"@replace\": {\"pattern\": \"a\"}}}", "$.v.@replace", "needs \"value\"");
    rejects("{\"v\": {\"@replace\": {\"value\": \"x\"}}}", "$.v.@replace", "needs \"pattern\"");
  }
}
