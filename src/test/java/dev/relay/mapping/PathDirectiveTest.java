package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static dev.relay.mapping.JsonAssertions.json;
import static dev.relay.mapping.Mappings.apply;
import static dev.relay.mapping.Mappings.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class PathDirectiveTest {
  @Test
  void readsANestedField() {
    assertJsonEquals("{\"v\": \"203.0.113.7\"}", apply("{\"v\": {\"@path\": \"$.context.ip\"}}"));
  }

  @Test
  void dollarDotAloneIsTheWholeEventItself() {
    JsonNode event = json(Mappings.ORDER);
    assertSame(event, Mapping.compile(json("{\"@path\": \"$.\"}"), Mappings.LIMITS).apply(event));
  }

  @Test
  void pathsWithoutDollarDotWorkAsInMappingKit() {
    assertJsonEquals("{\"v\": \"o-9\"}", apply("{\"v\": {\"@path\": \"properties.order_id\"}}"));
  }

  @Test
  void numericSegmentsAndBracketsIndexArrays() {
    assertJsonEquals("{\"a\": \"B-2\", \"b\": \"A-1\"}", apply(
        "{\"a\": {\"@path\": \"$.properties.products.1.sku\"}, \"b\": {\"@path\": \"$.properties.products[0].sku\"}}"));
  }

  @Test
  void arraysAndStringsAnswerLengthAndStringsAnswerIndexes() {
    assertJsonEquals("{\"n\": 2, \"len\": 3, \"first\": \"e\"}", apply("{\"n\": {\"@path\": \"$.properties.tags.length\"},"
        + " \"len\": {\"@path\": \"$.properties.currency.length\"}, \"first\": {\"@path\": \"$.properties.currency.0\"}}"));
  }

  @Test
  void aFalsyValueOnTheWayIsReturnedInsteadOfLookedInto() {
    // JavaScript's prev && prev[key]: null.code is null (kept), 0.x is 0, false.x is false.
    assertJsonEquals("{\"a\": null, \"b\": 0, \"c\": false}", apply("{\"a\": {\"@path\": \"$.properties.coupon.code\"},"
        + " \"b\": {\"@path\": \"$.properties.count.x\"}, \"c\": {\"@path\": \"$.properties.gift.x\"}}"));
  }

  @Test
  void aMissingFieldOnTheWayGivesUndefined() {
    assertJsonEquals("{}", apply("{\"a\": {\"@path\": \"$.nope.deeper\"}, \"b\": {\"@path\": \"$.userId.x\"}}"));
  }

  @Test
  void thePathCanBeComputedByADirective() {
    assertJsonEquals("{\"v\": \"o-9\"}",
        apply("{\"v\": {\"@path\": {\"@template\": \"$.properties.{{properties.empty}}order_id\"}}}"));
  }

  @Test
  void aComputedPathThatIsNotAStringFailsWhenApplied() {
    Mapping mapping = Mapping.compile(json("{\"v\": {\"@path\": {\"@path\": \"$.properties.count\"}}}"), Mappings.LIMITS);
    MappingException error = assertThrows(MappingException.class, () -> mapping.apply(json(Mappings.ORDER)));
    assertEquals("$.v.@path", error.path());
  }

  @Test
  void aListOfKeysReadsKeysThatContainDots() {
    assertJsonEquals("{\"v\": \"noodle\"}", apply("{\"v\": {\"@path\": [\"integrations\", \"Company.Billing\", \"c\"]}}",
        "{\"integrations\": {\"Company.Billing\": {\"c\": \"noodle\"}}}"));
  }

  @Test
  void aNonStringPathIsRejected() {
    rejects("{\"x\": {\"@path\": 5}}", "$.x.@path", "should be a string or a directive but it is a number");
  }

  @Test
  void aPathWithoutAnyFieldNameIsRejected() {
    rejects("{\"x\": {\"@path\": \"..\"}}", "$.x.@path", "is not a path");
  }
}
