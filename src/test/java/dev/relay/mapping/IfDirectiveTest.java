package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static dev.relay.mapping.Mappings.apply;
import static dev.relay.mapping.Mappings.rejects;

import org.junit.jupiter.api.Test;

class IfDirectiveTest {
  private static String ifExists(String path) {
    return "{\"v\": {\"@if\": {\"exists\": {\"@path\": \"" + path + "\"}, \"then\": \"yes\", \"else\": \"no\"}}}";
  }

  private static String ifBlank(String path) {
    return "{\"v\": {\"@if\": {\"blank\": {\"@path\": \"" + path + "\"}, \"then\": \"filled\", \"else\": \"blank\"}}}";
  }

  @Test
  void existsHoldsForAnyValueButNullAndMissing() {
    assertJsonEquals("{\"v\": \"yes\"}", apply(ifExists("$.userId")));
    assertJsonEquals("{\"v\": \"yes\"}", apply(ifExists("$.properties.empty")));
    assertJsonEquals("{\"v\": \"yes\"}", apply(ifExists("$.properties.gift")));
    assertJsonEquals("{\"v\": \"no\"}", apply(ifExists("$.properties.coupon")));
    assertJsonEquals("{\"v\": \"no\"}", apply(ifExists("$.nope")));
  }

  @Test
  void blankAlsoTreatsWhatJavaScriptLooselyEqualsToEmptyStringAsBlank() {
    assertJsonEquals("{\"v\": \"filled\"}", apply(ifBlank("$.userId")));
    assertJsonEquals("{\"v\": \"blank\"}", apply(ifBlank("$.properties.empty")));
    assertJsonEquals("{\"v\": \"blank\"}", apply(ifBlank("$.properties.count")));
    assertJsonEquals("{\"v\": \"blank\"}", apply(ifBlank("$.properties.gift")));
    assertJsonEquals("{\"v\": \"blank\"}", apply(ifBlank("$.properties.coupon")));
    assertJsonEquals("{\"v\": \"blank\"}", apply(ifBlank("$.nope")));
  }

  @Test
  void branchesAreMappingsThemselves() {
    assertJsonEquals("{\"v\": \"a-1\"}", apply("{\"v\": {\"@if\": {\"exists\": {\"@path\": \"$.nope\"},"
        + " \"then\": {\"@path\": \"$.userId\"}, \"else\": {\"@path\": \"$.anonymousId\"}}}}"));
  }

  @Test
  void aMissingBranchGivesUndefinedSoTheFieldIsDropped() {
    assertJsonEquals("{}", apply("{\"v\": {\"@if\": {\"exists\": {\"@path\": \"$.nope\"}, \"then\": 1}}}"));
    assertJsonEquals("{}", apply("{\"v\": {\"@if\": {\"exists\": {\"@path\": \"$.userId\"}, \"else\": 1}}}"));
  }

  @Test
  void aFalsyLiteralElseGivesUndefinedAsInMappingKitButANullThenIsKept() {
    assertJsonEquals("{}", apply("{\"v\": {\"@if\": {\"exists\": {\"@path\": \"$.nope\"}, \"then\": 1, \"else\": \"\"}}}"));
    assertJsonEquals("{\"v\": null}", apply("{\"v\": {\"@if\": {\"exists\": {\"@path\": \"$.userId\"}, \"then\": null}}}"));
  }

  @Test
  void aConditionIsRequired() {
    rejects("{\"v\": {\"@if\": {\"then\": 1}}}", "$.v.@if", "needs an \"exists\" or a \"blank\"");
    rejects("{\"v\": {\"@if\": {\"exists\": null, \"then\": 1}}}", "$.v.@if", "needs an \"exists\" or a \"blank\"");
  }

  @Test
  void optionsMustBeAnObject() {
    rejects("{\"v\": {\"@if\": \"userId\"}}", "$.v.@if", "should be an object but it is a string");
  }
}
