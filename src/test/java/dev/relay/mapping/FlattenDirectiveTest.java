package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static dev.relay.mapping.Mappings.apply;
import static dev.relay.mapping.Mappings.rejects;

import org.junit.jupiter.api.Test;

class FlattenDirectiveTest {
  private static final String NESTED = "{\"v\": {\"a\": {\"b\": {\"c\": 1}, \"d\": [{\"e\": 2}, 3]}, \"f\": null}}";

  @Test
  void nestedObjectsAndArraysBecomeSeparatedKeys() {
    assertJsonEquals("{\"f\": {\"a.b.c\": 1, \"a.d.0.e\": 2, \"a.d.1\": 3, \"f\": null}}",
        apply("{\"f\": {\"@flatten\": {\"value\": {\"@path\": \"$.v\"}, \"separator\": \".\"}}}", NESTED));
  }

  @Test
  void omitArraysKeepsArraysWhole() {
    assertJsonEquals("{\"f\": {\"a/b/c\": 1, \"a/d\": [{\"e\": 2}, 3], \"f\": null}}", apply(
        "{\"f\": {\"@flatten\": {\"value\": {\"@path\": \"$.v\"}, \"separator\": \"/\", \"omitArrays\": true}}}", NESTED));
  }

  @Test
  void aScalarBecomesAnEmptyKeyAndMissingGivesAnEmptyObject() {
    assertJsonEquals("{\"a\": {\"\": \"u-1\"}, \"b\": {}}", apply("{\"a\": {\"@flatten\": {\"value\": {\"@path\": \"$.userId\"}, \"separator\": \".\"}},"
        + " \"b\": {\"@flatten\": {\"value\": {\"@path\": \"$.nope\"}, \"separator\": \".\"}}}"));
  }

  @Test
  void aLiteralSeparatorAndAValueAreRequired() {
    rejects("{\"f\": {\"@flatten\": {\"value\": 1}}}", "$.f.@flatten", "needs \"separator\"");
    rejects("{\"f\": {\"@flatten\": {\"value\": 1, \"separator\": {\"@path\": \"$.s\"}}}}", "$.f.@flatten.separator",
        "should be a string but it is a directive");
    rejects("{\"f\": {\"@flatten\": {\"separator\": \".\"}}}", "$.f.@flatten", "needs \"value\"");
    rejects("{\"f\": {\"@flatten\": {\"value\": 1, \"separator\": \".\", \"omitArrays\": \"yes\"}}}",
        "$.f.@flatten.omitArrays", "should be a boolean");
  }
}
