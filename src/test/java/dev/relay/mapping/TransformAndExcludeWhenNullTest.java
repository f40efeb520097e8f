package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static dev.relay.mapping.Mappings.apply;
import static dev.relay.mapping.Mappings.rejects;

import org.junit.jupiter.api.Test;

class TransformAndExcludeWhenNullTest {
  @Test
  void transformMapsTheResultOfApply() {
    assertJsonEquals("{\"t\": {\"p\": {\"city\": \"London\", \"country\": \"UK\"}, \"c\": \"London\"}}", apply(
        "{\"t\": {\"@transform\": {\"apply\": {\"addr\": {\"@path\": \"$.properties.address\"}},"
            + " \"mapping\": {\"p\": {\"@path\": \"$.addr\"}, \"c\": {\"@path\": \"$.addr.city\"}}}}}"));
  }

  @Test
  void transformNeedsApplyAndMappingObjects() {
    rejects("{\"t\": {\"@transform\": {\"mapping\": {}}}}", "$.t.@transform", "needs \"apply\"");
    rejects("{\"t\": {\"@transform\": {\"apply\": \"x\", \"mapping\": {}}}}", "$.t.@transform.apply", "should be an object");
  }

  @Test
  void excludeWhenNullDropsANullValueFromItsObject() {
    assertJsonEquals("{\"b\": \"u-1\", \"c\": null}", apply("{\"a\": {\"@excludeWhenNull\": {\"@path\": \"$.properties.coupon\"}},"
        + " \"b\": {\"@excludeWhenNull\": {\"@path\": \"$.userId\"}}, \"c\": {\"@path\": \"$.properties.coupon\"}}"));
  }

  @Test
  void excludeWhenNullKeepsNullsInsideAnObjectValue() {
    assertJsonEquals("{\"a\": {\"x\": null}}", apply("{\"a\": {\"@excludeWhenNull\": {\"@path\": \"$.v\"}}}", "{\"v\": {\"x\": null}}"));
  }

  @Test
  void literalStillResolvesDirectivesInsideIt() {
    assertJsonEquals("{\"l\": false, \"n\": {\"a\": \"u-1\"}}",
        apply("{\"l\": {\"@literal\": false}, \"n\": {\"@literal\": {\"a\": {\"@path\": \"$.userId\"}, \"b\": {\"@path\": \"$.nope\"}}}}"));
  }
}
