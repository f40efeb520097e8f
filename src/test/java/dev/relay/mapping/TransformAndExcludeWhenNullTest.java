package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static dev.relay.mapping.JsonAssertions.json;
import static dev.relay.mapping.Mappings.apply;
import static dev.relay.mapping.Mappings.rejects;

import com.fasterxml.jackson.databind.JsonNode;
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
  void excludeWhenNullRemovesNullKeysFromAnObjectValueAtAnyDepth() {
    assertJsonEquals("{\"neat\": {\"aces\": {\"a\": 1, \"b\": 2, \"d\": {}}}}",
        apply("{\"neat\": {\"@excludeWhenNull\": {\"@path\": \"$.foo\"}}}",
            "{\"foo\": {\"bar\": null, \"aces\": {\"a\": 1, \"b\": 2, \"c\": null, \"d\": {\"a\": null, \"b\": null}}}}"));
  }

  @Test
  void excludeWhenNullLeavesArraysAndTheObjectsInsideThemAlone() {
    assertJsonEquals("{\"a\": {\"list\": [null, {\"x\": null}]}, \"b\": [null, {\"x\": null}]}",
        apply("{\"a\": {\"@excludeWhenNull\": {\"@path\": \"$.v\"}}, \"b\": {\"@excludeWhenNull\": {\"@path\": \"$.v.list\"}}}",
            "{\"v\": {\"list\": [null, {\"x\": null}], \"gone\": null}}"));
  }

  @Test
  void excludeWhenNullCleansWhatItMapsWithoutChangingTheEvent() {
    JsonNode event = json("{\"v\": {\"x\": null, \"y\": {\"z\": null}}}");
    assertJsonEquals("{\"a\": {\"y\": {}}, \"b\": {\"x\": null, \"y\": {\"z\": null}}}",
        Mapping.compile(json("{\"a\": {\"@excludeWhenNull\": {\"@path\": \"$.v\"}}, \"b\": {\"@path\": \"$.v\"}}"),
            Mappings.LIMITS).apply(event));
    assertJsonEquals("{\"v\": {\"x\": null, \"y\": {\"z\": null}}}", event);
  }

  @Test
  void excludeWhenNullInsideTransformAsInMappingKit() {
    assertJsonEquals("{\"empty\": {}, \"kept\": {\"properties\": {\"aces\": {\"a\": 1}}}}", apply(
        "{\"empty\": {\"@transform\": {\"apply\": {\"properties\": {\"@excludeWhenNull\": {\"@path\": \"$.properties\"}}},"
            + " \"mapping\": {\"properties\": {\"@path\": \"$.properties\"}}}},"
            + " \"kept\": {\"@excludeWhenNull\": {\"@transform\": {\"apply\": {\"properties\": {\"@path\": \"$.foo\"}},"
            + " \"mapping\": {\"properties\": {\"@path\": \"$.properties\"}}}}}}",
        "{\"foo\": {\"bar\": null, \"aces\": {\"a\": 1}}}"));
  }

  @Test
  void literalStillResolvesDirectivesInsideIt() {
    assertJsonEquals("{\"l\": false, \"n\": {\"a\": \"u-1\"}}",
        apply("{\"l\": {\"@literal\": false}, \"n\": {\"@literal\": {\"a\": {\"@path\": \"$.userId\"}, \"b\": {\"@path\": \"$.nope\"}}}}"));
  }
}
