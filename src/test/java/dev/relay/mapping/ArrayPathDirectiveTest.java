package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static dev.relay.mapping.Mappings.apply;
import static dev.relay.mapping.Mappings.rejects;

import org.junit.jupiter.api.Test;

class ArrayPathDirectiveTest {
  @Test
  void eachItemIsMappedWithTheItemAsRoot() {
    assertJsonEquals("{\"items\": [{\"id\": \"A-1\", \"p\": 99.5}, {\"id\": \"B-2\", \"p\": 15}]}", apply(
        "{\"items\": {\"@arrayPath\": [\"$.properties.products\", {\"id\": {\"@path\": \"$.sku\"}, \"p\": {\"@path\": \"$.price\"}}]}}"));
  }

  @Test
  void withoutAnItemShapeTheArrayIsReturnedAsItIs() {
    assertJsonEquals("{\"items\": [\"home\", \"light\"]}", apply("{\"items\": {\"@arrayPath\": [\"$.properties.tags\"]}}"));
    assertJsonEquals("{\"items\": [\"home\", \"light\"]}", apply("{\"items\": {\"@arrayPath\": [\"$.properties.tags\", {}]}}"));
  }

  @Test
  void aSingleObjectIsMappedAsAOneItemArray() {
    assertJsonEquals("{\"items\": [{\"c\": \"London\"}]}",
        apply("{\"items\": {\"@arrayPath\": [\"$.properties.address\", {\"c\": {\"@path\": \"$.city\"}}]}}"));
  }

  @Test
  void aMissingArrayLeavesTheFieldOut() {
    assertJsonEquals("{}", apply("{\"items\": {\"@arrayPath\": [\"$.nope\", {\"c\": {\"@path\": \"$.city\"}}]}}"));
  }

  @Test
  void thePathCanBeADirective() {
    assertJsonEquals("{\"items\": []}", apply("{\"items\": {\"@arrayPath\": [{\"@if\": {\"exists\": {\"@path\": \"$.nope\"},"
        + " \"then\": {\"@path\": \"$.nope\"}, \"else\": []}}, {\"c\": {\"@path\": \"$.city\"}}]}}"));
  }

  @Test
  void theArgumentMustBeAnArrayStartingWithAPath() {
    rejects("{\"items\": {\"@arrayPath\": \"$.properties.products\"}}", "$.items.@arrayPath", "should be an array");
    rejects("{\"items\": {\"@arrayPath\": [true]}}", "$.items.@arrayPath[0]", "string or a directive");
    rejects("{\"items\": {\"@arrayPath\": [\"$.a\", {\"x\": {\"@nope\": 1}}]}}", "$.items.@arrayPath[1].x", "unknown directive");
  }
}
