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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code @liquid}, with the restrictions and limits Segment's mapping-kit puts on it. */
class LiquidDirectiveTest {
  private static JsonNode liquid(String template, String event) {
    ObjectNode mapping = JsonNodeFactory.instance.objectNode();
    mapping.putObject("field").put("@liquid", template);
    return Mapping.compile(mapping, Mappings.LIMITS).apply(json(event)).get("field");
  }

  private static MappingException refused(String template) {
    return rejects("{\"field\": {\"@liquid\": " + JsonAssertions.JSON.valueToTree(template) + "}}",
        "$.field.@liquid", "");
  }

  @Test
  void rendersVariablesTagsAndFilters() {
    assertEquals("test", liquid("test", "{}").textValue());
    assertEquals("Hello, Earth !", liquid("Hello, {{ properties.world }} !", "{\"properties\": {\"world\": \"Earth\"}}").textValue());
    assertEquals("Hello, Bikini Bottom, I want a Krabby Patty", liquid(
        "Hello, {{ properties.planet.country.city }}, I want a {{ traits.preferences.food }}",
        "{\"properties\": {\"planet\": {\"country\": {\"city\": \"Bikini Bottom\"}}},"
            + " \"traits\": {\"preferences\": {\"food\": \"Krabby Patty\"}}}").textValue());
    assertEquals("Hello EARTH", liquid(
        "{% if properties.world == \"earth\" %}Hello {{ properties.world | upcase }}{% else %} Hello World {% endif %}",
        "{\"properties\": {\"world\": \"earth\"}}").textValue());
    assertEquals(" Hello World ", liquid(
        "{% if properties.world == \"earth\" %}Hello{% else %} Hello World {% endif %}", "{}").textValue());
  }

  @Test
  void missingValuesRenderAsNothingAndAnEmptyTemplateAsTheEmptyString() {
    assertEquals("[]", liquid("[{{ properties.nope }}{{ nope.deeper }}]", "{}").textValue());
    assertEquals("", liquid("", "{}").textValue());
  }

  @Test
  void numbersPrintAsJavaScriptPrintsThem() {
    assertEquals("15 129.5 15 259 7.5", liquid(
        "{{ properties.quantity }} {{ properties.revenue }} {{ properties.whole }} {{ properties.revenue | times: 2 }}"
            + " {{ properties.quantity | divided_by: 2.0 }}",
        "{\"properties\": {\"quantity\": 15, \"revenue\": 129.5, \"whole\": 15.0}}").textValue());
  }

  @Test
  void itWorksInsideOtherDirectivesOnTheRootTheyGiveIt() {
    assertJsonEquals("{\"items\": [\"A-1 x1\", \"B-2 x1\"]}", apply(
        "{\"items\": {\"@arrayPath\": [\"$.properties.products\","
            + " {\"@liquid\": \"{{ sku }} x{{ price | divided_by: price }}\"}]}}"));
  }

  @Test
  void theTemplateMustBeAString() {
    for (String value : new String[] {"123", "{}", "[]", "true", "{\"@path\": \"$.userId\"}"}) {
      rejects("{\"field\": {\"@liquid\": " + value + "}}", "$.field.@liquid", "should be a string but it is");
    }
  }

  @Test
  void templatesAreLimitedToOneThousandCharacters() {
    assertEquals(1000, liquid("a".repeat(1000), "{}").textValue().length());
    MappingException error = refused("{{ properties.test }}" + "a".repeat(1001));
    assertTrue(error.getMessage().contains("limited to 1000 characters"), error.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"case", "for", "include", "layout", "render", "tablerow"})
  void segmentsDisabledTagsAreRefusedWhenSaved(String tag) {
    String template = switch (tag) {
      case "case" -> "{% case properties.test %}{% when 'a' %}A{% endcase %}";
      case "for" -> "{% for x in properties.list %}{{ x }}{% endfor %}";
      case "tablerow" -> "{% tablerow x in properties.list %}{{ x }}{% endtablerow %}";
      default -> "{% " + tag + " 'header' %} , {{ properties.test }}";
    };
    MappingException error = refused(template);
    assertTrue(error.getMessage().contains("tag \"" + tag + "\" is disabled"), error.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"array_to_sentence_string", "concat", "find", "find_exp", "find_index", "find_index_exp",
      "group_by", "group_by_exp", "has", "has_exp", "map", "newline_to_br", "reject", "reject_exp", "reverse", "sort",
      "sort_natural", "uniq", "where_exp", "type"})
  void segmentsDisabledFiltersAreRefusedWhenSaved(String filter) {
    MappingException error = refused("{{ properties.test | " + filter + " }}");
    assertTrue(error.getMessage().contains("filter \"" + filter + "\" is disabled"), error.getMessage());
  }

  @Test
  void unknownFiltersAndBrokenSyntaxAreRefusedWhenSaved() {
    assertTrue(refused("{{ properties.test | nosuch }}").getMessage().contains("unknown filter \"nosuch\""));
    refused("{{ properties.test | upcase");
    refused("{% if properties.test %}open");
    refused("{% nosuch %}");
  }

  @Test
  void aTemplateThatKeepsDoublingItsTextStopsAtTheOutputLimit() {
    String doubling = "{% assign a = properties.s %}" + "{% assign a = a | append: a %}".repeat(30) + "{{ a }}";
    assertTrue(doubling.length() <= 1000);
    MappingException error = assertThrows(MappingException.class,
        () -> liquid(doubling, "{\"properties\": {\"s\": \"0123456789\"}}"));
    assertEquals("$.field.@liquid", error.path());
    assertTrue(error.getMessage().contains("more than " + LiquidBudget.MAX_RENDERED_CHARACTERS), error.getMessage());

    String capturing = "{% capture a %}{{ properties.s }}{% endcapture %}"
        + "{% capture a %}{{ a }}{{ a }}{% endcapture %}".repeat(20) + "{{ a }}";
    assertThrows(MappingException.class, () -> liquid(capturing, "{\"properties\": {\"s\": \"0123456789\"}}"));
  }

  @Test
  void aReplaceThatWouldMultiplyTheTextIsRefusedBeforeItIsMade() {
    String event = "{\"properties\": {\"s\": \"" + "a".repeat(30_000) + "\"}}";
    MappingException error = assertThrows(MappingException.class,
        () -> liquid("{{ properties.s | replace: 'a', properties.s }}", event));
    assertTrue(error.getMessage().contains("more than " + LiquidBudget.MAX_RENDERED_CHARACTERS), error.getMessage());
    assertThrows(MappingException.class,
        () -> liquid("{{ properties.s | split: '' | join: properties.s }}", event));
    assertEquals(30_000, liquid("{{ properties.s | replace: 'a', 'b' }}", event).textValue().length());
  }

  @Test
  void aRenderThatRunsPastFiveHundredMillisecondsFails() {
    AtomicLong now = new AtomicLong();
    Evaluator slow = LiquidDirective.compile(JsonNodeFactory.instance.textNode(
        "{{ a | upcase }}{{ a | downcase }}{{ a | upcase }}"), "$.x.@liquid",
        () -> now.addAndGet(TimeUnit.MILLISECONDS.toNanos(200)));
    MappingException error = assertThrows(MappingException.class, () -> slow.evaluate(json("{\"a\": \"x\"}")));
    assertEquals("$.x.@liquid", error.path());
    assertTrue(error.getMessage().contains("500 ms"), error.getMessage());
  }

  @Test
  void oneCompiledTemplateServesManyThreads() throws Exception {
    Mapping mapping = Mapping.compile(json("{\"s\": {\"@liquid\": \"{{ userId | upcase }}-{{ properties.n | plus: 1 }}\"}}"),
        Mappings.LIMITS);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<JsonNode>> results = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        String event = "{\"userId\": \"u-" + i + "\", \"properties\": {\"n\": " + i + "}}";
        results.add(pool.submit(() -> mapping.apply(json(event))));
      }
      for (int i = 0; i < results.size(); i++) {
        assertJsonEquals("{\"s\": \"U-" + i + "-" + (i + 1) + "\"}", results.get(i).get());
      }
    } finally {
      pool.shutdown();
    }
  }
}
