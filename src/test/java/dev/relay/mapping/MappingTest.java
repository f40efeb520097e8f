package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static dev.relay.mapping.JsonAssertions.json;
import static dev.relay.mapping.Mappings.apply;
import static dev.relay.mapping.Mappings.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class MappingTest {
  @Test
  void undefinedFieldsAreDroppedAndNullIsKept() {
    assertJsonEquals("{\"coupon\": null, \"kept\": 1}",
        apply("{\"missing\": {\"@path\": \"$.nope\"}, \"coupon\": {\"@path\": \"$.properties.coupon\"}, \"kept\": 1}"));
  }

  @Test
  void nestedObjectsAndArraysAreMappedElementWise() {
    assertJsonEquals("{\"a\": [1, \"o-9\", {\"b\": \"u-1\"}]}",
        apply("{\"a\": [1, {\"@path\": \"$.properties.order_id\"}, {\"b\": {\"@path\": \"$.userId\"}}]}"));
  }

  @Test
  void undefinedArrayElementsBecomeNullAsInJsonStringify() {
    assertJsonEquals("{\"a\": [null, 1]}", apply("{\"a\": [{\"@path\": \"$.nope\"}, 1]}"));
  }

  @Test
  void aTopLevelDirectiveCanYieldAScalarOrUndefined() {
    assertJsonEquals("\"o-9\"", apply("{\"@path\": \"$.properties.order_id\"}"));
    assertTrue(apply("{\"@path\": \"$.nope\"}").isMissingNode());
  }

  @Test
  void anEmptyMappingGivesAnEmptyObject() {
    assertJsonEquals("{}", apply("{}"));
  }

  @Test
  void literalIntegralNumbersAreKeptAsJavaScriptHoldsThem() {
    JsonNode result = apply("{\"n\": 1.0}");
    assertEquals("{\"n\":1}", result.toString());
  }

  @Test
  void sourceIsTheMappingAsGivenAndLaterChangesToTheInputDoNotAffectTheMapping() {
    ObjectNode source = (ObjectNode) json("{\"id\": {\"@path\": \"$.userId\"}}");
    Mapping mapping = Mapping.compile(source, Mappings.LIMITS);
    source.put("id", "changed");
    assertJsonEquals("{\"id\": {\"@path\": \"$.userId\"}}", mapping.source());
    assertJsonEquals("{\"id\": \"u-1\"}", mapping.apply(json(Mappings.ORDER)));
  }

  @Test
  void oneCompiledMappingServesManyThreads() throws Exception {
    Mapping mapping = Mapping.compile(json(
        "{\"id\": {\"@path\": \"$.userId\"}, \"s\": {\"@template\": \"{{properties.order_id}}-{{userId}}\"}}"),
        Mappings.LIMITS);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<JsonNode>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String user = "u-" + i;
        results.add(pool.submit(() -> mapping.apply(json(
            "{\"userId\": \"" + user + "\", \"properties\": {\"order_id\": \"o\"}}"))));
      }
      for (int i = 0; i < results.size(); i++) {
        assertJsonEquals("{\"id\": \"u-" + i + "\", \"s\": \"o-u-" + i + "\"}", results.get(i).get());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void unknownDirectivesAreRejectedWithTheirPath() {
    rejects("{\"user\": {\"mail\": {\"@nosuch\": \"$.x\"}}}", "$.user.mail", "unknown directive @nosuch");
  }

  @Test
  void anObjectWithTwoDirectivesIsRejected() {
    rejects("{\"x\": {\"@path\": \"$.a\", \"@template\": \"b\"}}", "$.x", "only one directive");
  }

  @Test
  void aDirectiveWithASiblingKeyIsRejected() {
    rejects("{\"x\": {\"@path\": \"$.a\", \"oops\": true}}", "$.x", "can't have other keys");
  }

  @Test
  void segmentsMetadataNextToADirectiveIsAllowed() {
    assertJsonEquals("{\"x\": \"u-1\"}",
        apply("{\"x\": {\"@path\": \"$.userId\", \"_metadata\": {\"label\": \"User\"}}}"));
  }

  @Test
  void unknownOptionsOfADirectiveAreRejected() {
    rejects("{\"x\": {\"@if\": {\"exists\": 1, \"thne\": 2}}}", "$.x.@if.thne", "not an option of @if");
  }

  @Test
  void errorsDeepInsideNameTheirFullPath() {
    rejects("{\"user\": {\"mail\": {\"@case\": {\"operator\": \"title\", \"value\": \"x\"}}}}",
        "$.user.mail.@case.operator", "\"lower\" or \"upper\"");
    rejects("{\"list\": [1, {\"@path\": 5}]}", "$.list[1].@path", "string or a directive");
    rejects("{\"odd key\": {\"@path\": true}}", "$[\"odd key\"].@path", "but it is a boolean");
  }

  @Test
  void applyingToANullEventIsAProgrammingError() {
    Mapping mapping = Mapping.compile(json("{}"), Mappings.LIMITS);
    assertThrows(NullPointerException.class, () -> mapping.apply(null));
  }

  /** {"a": {"a": ... {"a": 1}}} with {@code levels} objects, built without recursion. */
  private static JsonNode nested(int levels) {
    JsonNode node = json("1");
    for (int i = 0; i < levels; i++) {
      ObjectNode outer = JsonNodeFactory.instance.objectNode();
      outer.set("a", node);
      node = outer;
    }
    return node;
  }

  @Test
  void aMappingNestedFarPastTheLimitIsRefusedNamingWhereAndTheLimit() {
    MappingException error =
        assertThrows(MappingException.class, () -> Mapping.compile(nested(100_000), Mappings.LIMITS));
    assertEquals("$" + ".a".repeat(32), error.path());
    assertTrue(error.getMessage().contains("nested more than 32 levels deep (limit relay.mapping.max-nesting-depth)"),
        error.getMessage());
  }

  @Test
  void aMappingNestedExactlyToTheLimitCompilesAndArraysCountAsLevels() {
    assertJsonEquals(nested(32).toString(), Mapping.compile(nested(32), Mappings.LIMITS).apply(json("{}")));
    MappingException error = assertThrows(MappingException.class,
        () -> Mapping.compile(json("{\"x\": [[1]]}"), new MappingLimits(4096, 2, 65536)));
    assertEquals("$.x[0]", error.path());
  }

  @Test
  void aMappingLargerThanTheLimitIsRefused() {
    ObjectNode big = JsonNodeFactory.instance.objectNode();
    for (int i = 0; i < 1000; i++) {
      big.put("field" + i, "x".repeat(100));
    }
    MappingException error = assertThrows(MappingException.class, () -> Mapping.compile(big, Mappings.LIMITS));
    assertEquals("$", error.path());
    assertTrue(error.getMessage().contains("more than 65536 (limit relay.mapping.max-mapping-size)"), error.getMessage());
  }
}
