package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static dev.relay.mapping.Mappings.apply;
import static dev.relay.mapping.Mappings.rejects;

import org.junit.jupiter.api.Test;

class TemplateDirectiveTest {
  @Test
  void fillsPlaceholdersFromTheEvent() {
    assertJsonEquals("\"Order o-9 by u-1\"", apply("{\"@template\": \"Order {{properties.order_id}} by {{userId}}\"}"));
  }

  @Test
  void missingAndNullValuesBecomeEmptyStrings() {
    assertJsonEquals("\"[][]\"", apply("{\"@template\": \"[{{properties.nope}}][{{properties.coupon}}]\"}"));
  }

  @Test
  void numbersAreWrittenAsJavaScriptWritesThem() {
    assertJsonEquals("\"129.5 15 0 false\"", apply(
        "{\"@template\": \"{{properties.revenue}} {{properties.quantity}} {{properties.count}} {{properties.gift}}\"}"));
    assertJsonEquals("\"1e+21 0.000001 1e-7 100\"", apply("{\"@template\": \"{{a}} {{b}} {{c}} {{d}}\"}",
        "{\"a\": 1e21, \"b\": 0.000001, \"c\": 1e-7, \"d\": 100.0}"));
  }

  @Test
  void arraysAreJoinedWithCommasAndObjectsPrintAsJavaScriptDoes() {
    assertJsonEquals("\"home,light [object Object]\"",
        apply("{\"@template\": \"{{properties.tags}} {{properties.address}}\"}"));
  }

  @Test
  void spacesInsidePlaceholdersAreIgnored() {
    assertJsonEquals("\"o-9\"", apply("{\"@template\": \"{{ properties.order_id }}\"}"));
  }

  @Test
  void tripleBracesWorkTooAndNothingIsHtmlEscaped() {
    assertJsonEquals("\"<b>&</b> <b>&</b>\"", apply("{\"@template\": \"{{a}} {{{a}}}\"}", "{\"a\": \"<b>&</b>\"}"));
  }

  @Test
  void textWithoutPlaceholdersAndStrayBracesIsKept() {
    assertJsonEquals("\"plain {not} {{}} o-9}\"", apply("{\"@template\": \"plain {not} {{}} {{properties.order_id}}}\"}"));
  }

  @Test
  void unicodeIsCarriedThrough() {
    assertJsonEquals("\"Prüfung – ✓\"", apply("{\"@template\": \"{{t}}\"}", "{\"t\": \"Prüfung – ✓\"}"));
  }

  @Test
  void theTemplateCanBeComputedByADirective() {
    assertJsonEquals("\"o-9\"", apply("{\"@template\": {\"@path\": \"$.t\"}}",
        "{\"t\": \"{{properties.order_id}}\", \"properties\": {\"order_id\": \"o-9\"}}"));
  }

  @Test
  void aNonStringTemplateIsRejected() {
    rejects("{\"x\": {\"@template\": false}}", "$.x.@template", "should be a string or a directive");
  }

  @Test
  void aPlaceholderThatNamesNoFieldIsRejected() {
    rejects("{\"x\": {\"@template\": \"a {{..}} b\"}}", "$.x.@template", "does not name a field");
  }
}
