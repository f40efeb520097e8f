package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What each operator means, as Segment's destination-subscriptions decides it. */
class TriggerSemanticsTest {
  private static final JsonNode TRACK = json("""
      {"type": "track", "event": "Order Completed", "userId": "u-1", "anonymousId": "a-1", "channel": "server",
       "properties": {"revenue": 129.5, "count": 0, "price": "10.50", "qty": "2", "coupon": null, "gift": false,
                      "trial": true, "trialText": "true", "tags": ["a", "b"], "url": "https://shop.example/checkout",
                      "nested": {"deep": {"value": "x"}}, "products": [{"sku": "A-1"}]},
       "context": {"ip": "203.0.113.7", "traits": {"plan": "pro"}, "page": {"referrer": ""}},
       "integrations": {"Mixpanel": false}}
      """);
  private static final JsonNode IDENTIFY = json("""
      {"type": "identify", "userId": "u-1", "traits": {"age": 36, "email": "ada@example.com"}}
      """);

  private static boolean matches(String fql, JsonNode event) {
    return Trigger.compile(fql, Mappings.LIMITS).matches(event);
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(delimiter = '|', value = {
      // = and != compare text with text
      "type = \"track\"|true",
      "type != \"track\"|false",
      "event = \"Order Completed\"|true",
      "event = \"order completed\"|false",
      "properties.price = \"10.50\"|true",
      "properties.revenue = \"129.5\"|false", // a number is not the text "129.5"
      "properties.tags = \"a,b\"|false",
      // = and != against a number hold only for number values (Segment's number_equals)
      "properties.revenue = 129.5|true",
      "properties.revenue = 129.50|true",
      "properties.revenue != 129.5|false",
      "properties.revenue != 100|true",
      "properties.qty = 2|false",
      "properties.qty != 2|false",
      "properties.price = 10.5|false",
      "properties.missing != 5|false",
      "properties.coupon != 5|false",
      // < <= > >= only ever hold for number values
      "properties.revenue > 100|true",
      "properties.revenue <= 100|false",
      "properties.revenue >= \"129.5\"|true",
      "properties.qty > 1|false",
      "properties.missing < 1|false",
      "properties.count >= 0|true",
      "properties.coupon >= 0|false",
      // null means missing-or-null; != null means present
      "properties.coupon = null|true",
      "properties.missing = null|true",
      "properties.count != null|true",
      "properties.coupon != null|false",
      "userId != null|true",
      "name = null|true",
      // true/false are the booleans, not the text
      "properties.trial = true|true",
      "properties.trialText = true|false",
      "properties.gift = false|true",
      "properties.gift != true|true",
      "integrations.Mixpanel = false|true",
      // contains and match need a string value, negated or not
      "contains(event, \"Order\")|true",
      "!contains(event, \"Order\")|false",
      "contains(properties.missing, \"x\")|false",
      "!contains(properties.missing, \"x\")|false",
      "contains(properties.revenue, \"129\")|false",
      "match(event, \"Order*\")|true",
      "match(event, \"*Completed\")|true",
      "match(event, \"O?der*\")|true",
      "match(event, \"Order\")|false",
      "!match(properties.url, \"https://*\")|false",
      // other top-level fields and paths into arrays
      "channel = \"server\"|true",
      "anonymousId != null|true",
      "properties.products.0.sku = \"A-1\"|true",
      "properties.nested.deep.value = \"x\"|true",
      "context.traits.plan = \"pro\"|true",
      "context.page.referrer = \"\"|true",
      // Segment quirks kept on purpose: type and event compare only as text
      "event != null|true",
      "event = null|false"})
  void operatorsOnATrackEvent(String fql, boolean expected) {
    assertEquals(expected, matches(fql, TRACK), fql);
  }

  @Test
  void numberEqualityOnPropertiesTraitsAndContextMatchesOnlyNumbers() {
    for (String container : new String[] {"properties", "traits", "context"}) {
      JsonNode number = json("{\"" + container + "\": {\"value\": 123}}");
      JsonNode text = json("{\"" + container + "\": {\"value\": \"123\"}}");
      JsonNode other = json("{\"" + container + "\": {\"value\": 456}}");
      JsonNode missing = json("{\"" + container + "\": {}}");
      String field = container + ".value";
      assertEquals(true, matches(field + " = 123", number), field);
      assertEquals(false, matches(field + " = 123", text), field);
      assertEquals(false, matches(field + " != 123", number), field);
      assertEquals(true, matches(field + " != 123", other), field);
      assertEquals(false, matches(field + " != 123", text), field);
      assertEquals(false, matches(field + " != 123", missing), field);
      assertEquals(true, matches(field + " = \"123\"", text), field);
      assertEquals(false, matches(field + " = \"123\"", number), field);
    }
  }

  @Test
  void andBindsTighterThanOr() {
    assertEquals(true, matches("type = \"identify\" or type = \"track\" and event = \"Order Completed\"", TRACK));
    assertEquals(false, matches("type = \"identify\" or type = \"track\" and event = \"Signed Up\"", TRACK));
    assertEquals(false, matches("(type = \"identify\" or type = \"track\") and event = \"Signed Up\"", TRACK));
  }

  @Test
  void traitsAreReadFromTraitsAndPropertiesFromProperties() {
    assertEquals(true, matches("traits.age >= 18", IDENTIFY));
    assertEquals(false, matches("properties.age >= 18", IDENTIFY));
    assertEquals(true, matches("traits.email != null and userId = \"u-1\"", IDENTIFY));
  }

  @Test
  void eventsWithoutTheFieldSimplyDoNotMatch() {
    assertFalse(matches("properties.revenue > 0", IDENTIFY));
    assertFalse(matches("type = \"track\"", json("{}")));
    assertFalse(Trigger.compile("type = \"track\"", Mappings.LIMITS).matches(null));
  }

  @Test
  void escapedCharactersInFieldNamesAreReadAsWritten() {
    assertEquals(true, matches("properties.my\\ key = \"v\"", json("{\"properties\": {\"my key\": \"v\"}}")));
  }

  @Test
  void stringEscapesAreDecoded() {
    assertEquals(true, matches("event = \"say \\\"hi\\\"\\n\"", json("{\"event\": \"say \\\"hi\\\"\\n\"}")));
  }
}
