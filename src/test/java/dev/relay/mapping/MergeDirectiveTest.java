package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static dev.relay.mapping.Mappings.apply;
import static dev.relay.mapping.Mappings.rejects;

import org.junit.jupiter.api.Test;

class MergeDirectiveTest {
  private static String merge(String direction, String objects) {
    return "{\"m\": {\"@merge\": {\"direction\": \"" + direction + "\", \"objects\": " + objects + "}}}";
  }

  @Test
  void rightLetsLaterObjectsWin() {
    assertJsonEquals("{\"m\": {\"city\": \"Paris\", \"country\": \"UK\"}}",
        apply(merge("right", "[{\"@path\": \"$.properties.address\"}, {\"city\": \"Paris\"}]")));
  }

  @Test
  void leftLetsEarlierObjectsWin() {
    assertJsonEquals("{\"m\": {\"city\": \"London\", \"country\": \"UK\"}}",
        apply(merge("left", "[{\"@path\": \"$.properties.address\"}, {\"city\": \"Paris\"}]")));
  }

  @Test
  void missingAndNullObjectsAreSkipped() {
    assertJsonEquals("{\"m\": {\"a\": 1}}",
        apply(merge("right", "[{\"@path\": \"$.nope\"}, {\"@path\": \"$.properties.coupon\"}, {\"a\": 1}]")));
  }

  @Test
  void anUndefinedFieldOverwritesLikeObjectAssign() {
    assertJsonEquals("{\"m\": {\"country\": \"UK\"}}",
        apply(merge("right", "[{\"@path\": \"$.properties.address\"}, {\"city\": {\"@path\": \"$.nope\"}}]")));
  }

  @Test
  void directionAndObjectsAreChecked() {
    rejects(merge("up", "[]"), "$.m.@merge.direction", "\"left\" or \"right\" but it is \"up\"");
    rejects(merge("left", "{\"a\": 1}"), "$.m.@merge.objects", "should be an array");
    rejects(merge("left", "[{}, 1]"), "$.m.@merge.objects[1]", "should be an object but it is a number");
  }
}
