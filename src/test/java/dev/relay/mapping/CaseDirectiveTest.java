package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static dev.relay.mapping.Mappings.apply;
import static dev.relay.mapping.Mappings.rejects;

import org.junit.jupiter.api.Test;

class CaseDirectiveTest {
  private static String casing(String operator, String path) {
    return "{\"v\": {\"@case\": {\"operator\": \"" + operator + "\", \"value\": {\"@path\": \"" + path + "\"}}}}";
  }

  @Test
  void lowerAndUpperChangeStrings() {
    assertJsonEquals("{\"v\": \"ada@example.com\"}", apply(casing("lower", "$.context.traits.email")));
    assertJsonEquals("{\"v\": \"EUR\"}", apply(casing("upper", "$.properties.currency")));
  }

  @Test
  void upperCaseIgnoresTheHostLocale() {
    assertJsonEquals("{\"v\": \"TITLE\"}", apply(casing("upper", "$.t"), "{\"t\": \"title\"}"));
  }

  @Test
  void nonStringValuesPassThroughUnchanged() {
    assertJsonEquals("{\"v\": 129.5}", apply(casing("lower", "$.properties.revenue")));
    assertJsonEquals("{\"v\": null}", apply(casing("lower", "$.properties.coupon")));
    assertJsonEquals("{\"v\": [\"home\", \"light\"]}", apply(casing("upper", "$.properties.tags")));
    assertJsonEquals("{}", apply(casing("upper", "$.nope")));
  }

  @Test
  void aLiteralValueIsCasedToo() {
    assertJsonEquals("{\"v\": \"ABC\"}", apply("{\"v\": {\"@case\": {\"operator\": \"upper\", \"value\": \"abc\"}}}"));
  }

  @Test
  void theOperatorMustBeLowerOrUpper() {
    rejects(casing("title", "$.userId"), "$.v.@case.operator", "should be \"lower\" or \"upper\" but it is \"title\"");
    rejects("{\"v\": {\"@case\": {\"value\": \"x\"}}}", "$.v.@case", "needs an \"operator\"");
  }

  @Test
  void theValueMustBeAStringOrADirective() {
    rejects("{\"v\": {\"@case\": {\"operator\": \"lower\", \"value\": 5}}}", "$.v.@case.value", "string or a directive");
  }
}
