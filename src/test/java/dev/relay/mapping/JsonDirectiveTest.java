package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static dev.relay.mapping.Mappings.apply;
import static dev.relay.mapping.Mappings.rejects;

import org.junit.jupiter.api.Test;

class JsonDirectiveTest {
  @Test
  void encodeWritesJsonAsJavaScriptDoes() {
    assertJsonEquals("{\"t\": \"{\\\"city\\\":\\\"London\\\",\\\"country\\\":\\\"UK\\\"}\"}",
        apply("{\"t\": {\"@json\": {\"mode\": \"encode\", \"value\": {\"@path\": \"$.properties.address\"}}}}"));
    assertJsonEquals("{\"t\": \"[99.5,15,1,\\\"\\\\u001f\\\"]\"}", apply(
        "{\"t\": {\"@json\": {\"mode\": \"encode\", \"value\": [99.5, {\"@path\": \"$.q\"}, 1.0, {\"@path\": \"$.c\"}]}}}",
        "{\"q\": 15.0, \"c\": \"\\u001f\"}"));
  }

  @Test
  void encodingNullGivesTheTextNullAndEncodingMissingGivesUndefined() {
    assertJsonEquals("{\"a\": \"null\"}", apply("{\"a\": {\"@json\": {\"mode\": \"encode\", \"value\": {\"@path\": \"$.properties.coupon\"}}},"
        + " \"b\": {\"@json\": {\"mode\": \"encode\", \"value\": {\"@path\": \"$.nope\"}}}}"));
  }

  @Test
  void decodeParsesTextAndPassesOtherValuesThrough() {
    assertJsonEquals("{\"a\": {\"b\": [1, 2]}, \"n\": 0}", apply("{\"a\": {\"@json\": {\"mode\": \"decode\", \"value\": {\"@path\": \"$.s\"}}},"
        + " \"n\": {\"@json\": {\"mode\": \"decode\", \"value\": {\"@path\": \"$.n\"}}}}", "{\"s\": \"{\\\"b\\\": [1, 2.0]}\", \"n\": 0}"));
  }

  @Test
  void decodingTextThatIsNotJsonGivesTheTextUnchangedAsInMappingKit() {
    assertJsonEquals("{\"a\": \"Hello World\", \"b\": \"{oops\", \"c\": \"\"}", apply(
        "{\"a\": {\"@json\": {\"mode\": \"decode\", \"value\": {\"@path\": \"$.s\"}}},"
            + " \"b\": {\"@json\": {\"mode\": \"decode\", \"value\": {\"@path\": \"$.t\"}}},"
            + " \"c\": {\"@json\": {\"mode\": \"decode\", \"value\": {\"@path\": \"$.e\"}}}}",
        "{\"s\": \"Hello World\", \"t\": \"{oops\", \"e\": \"\"}"));
  }

  @Test
  void modeIsCheckedAndAnUpperCaseModeYieldsUndefinedAsInMappingKit() {
    rejects("{\"a\": {\"@json\": {\"mode\": \"oops\", \"value\": 1}}}", "$.a.@json.mode", "\"encode\" or \"decode\"");
    assertJsonEquals("{}", apply("{\"a\": {\"@json\": {\"mode\": \"ENCODE\", \"value\": 1}}}"));
  }

  @Test
  void aValueIsRequired() {
    rejects("{\"a\": {\"@json\": {\"mode\": \"encode\"}}}", "$.a.@json", "needs \"value\"");
    rejects("{\"a\": {\"@json\": {\"mode\": \"encode\", \"value\": false}}}", "$.a.@json", "needs a \"value\"");
  }
}
