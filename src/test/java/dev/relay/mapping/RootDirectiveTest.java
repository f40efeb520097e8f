package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static dev.relay.mapping.Mappings.apply;
import static dev.relay.mapping.Mappings.rejects;

import org.junit.jupiter.api.Test;

/** A mapping's root-level {@code __segment_internal_directive}, as mapping-kit's transform handles it. */
class RootDirectiveTest {
  private static final String EVENT = """
      {"properties": {"test": "value", "another": "thing", "nested": {"a": "special", "b": 2}},
       "otherStuff": "foo", "more": "bar"}
      """;

  @Test
  void theRootTransformReshapesTheEventBeforeTheSiblingKeysAreMapped() {
    assertJsonEquals("""
        {"properties": {"test": "value", "another": "thing", "nested_a": "special", "nested_b": 2},
         "topLevel": "special"}
        """, apply("""
        {"__segment_internal_directive": {"@transform": {"apply": {"properties":
            {"@flatten": {"value": {"@path": "$.properties"}, "separator": "_"}}}}},
         "properties": {"@path": "$.properties"},
         "topLevel": {"@path": "$.properties.nested_a"}}
        """, EVENT));
  }

  @Test
  void theSiblingKeysReplaceAMappingWrittenInsideTheRootDirective() {
    assertJsonEquals("{\"x\": \"foo\"}", apply("""
        {"__segment_internal_directive": {"@transform": {"apply": {"o": {"@path": "$.otherStuff"}},
            "mapping": {"ignored": 1}}},
         "x": {"@path": "$.o"}}
        """, EVENT));
  }

  @Test
  void theApplyOfATransformMayCarryItsOwnRootDirective() {
    assertJsonEquals("{\"t\": {\"m\": \"bar\"}}", apply("""
        {"t": {"@transform": {"apply": {
            "__segment_internal_directive": {"@transform": {"apply": {"inner": {"@path": "$.more"}}}},
            "m": {"@path": "$.inner"}},
          "mapping": {"m": {"@path": "$.m"}}}}}
        """, EVENT));
  }

  @Test
  void elsewhereTheKeyIsAnOrdinaryField() {
    assertJsonEquals("{\"a\": {\"__segment_internal_directive\": \"foo\"}}",
        apply("{\"a\": {\"__segment_internal_directive\": {\"@path\": \"$.otherStuff\"}}}", EVENT));
  }

  @Test
  void theRootDirectiveMustBeOneTransformObject() {
    rejects("{\"__segment_internal_directive\": {\"@transform\": {\"apply\": {}}, \"_metadata\": {}}, \"x\": 1}",
        "$.__segment_internal_directive", "one directive");
    rejects("{\"__segment_internal_directive\": \"$.x\", \"x\": 1}",
        "$.__segment_internal_directive", "should be a directive object");
    rejects("{\"__segment_internal_directive\": {\"@path\": \"$.x\"}, \"x\": 1}",
        "$.__segment_internal_directive", "@transform");
    rejects("{\"__segment_internal_directive\": {\"@transform\": {}}, \"x\": 1}",
        "$.__segment_internal_directive.@transform", "needs \"apply\"");
  }

  @Test
  void errorsInTheSiblingKeysNameThemAsWritten() {
    rejects("{\"__segment_internal_directive\": {\"@transform\": {\"apply\": {}}}, \"x\": {\"@path\": 5}}",
        "$.x.@path", "string or a directive");
  }
}
