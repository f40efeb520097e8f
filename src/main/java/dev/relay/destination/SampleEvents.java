package dev.relay.destination;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Ids;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Realistic events of each call type for the API call tester, shaped as Segment's libraries send
 * them (analytics.js for the web calls, analytics-ios for {@code screen}): an operator can test a
 * destination before any real traffic exists. Each call gets fresh ids.
 */
public final class SampleEvents {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private SampleEvents() {}

  /** A sample event of {@code type}, or empty when the type is not a call type. */
  public static Optional<ObjectNode> of(String type, Instant now) {
    return Optional.ofNullable(
        switch (type) {
          case "track" -> track(now);
          case "identify" -> identify(now);
          case "page" -> page(now);
          case "screen" -> screen(now);
          case "group" -> group(now);
          case "alias" -> alias(now);
          default -> null;
        });
  }

  private static ObjectNode track(Instant now) {
    ObjectNode event = base("track", now, webContext("/checkout/confirmation", "Order confirmed | Acme Outdoor"));
    event.put("event", "Order Completed");
    ObjectNode properties = event.putObject("properties");
    properties.put("checkout_id", "chk_" + Ids.random(10));
    properties.put("order_id", "ord_" + Ids.random(10));
    properties.put("affiliation", "Acme Outdoor web store");
    properties.put("total", 137.97);
    properties.put("revenue", 119.98);
    properties.put("shipping", 9.99);
    properties.put("tax", 8.00);
    properties.put("discount", 12.00);
    properties.put("coupon", "SPRING12");
    properties.put("currency", "USD");
    ArrayNode products = properties.putArray("products");
    products.addObject()
        .put("product_id", "507f1f77bcf86cd799439011")
        .put("sku", "HB-201-42")
        .put("name", "Ridgeline Hiking Boots")
        .put("category", "Footwear")
        .put("brand", "Acme")
        .put("variant", "Slate / 42")
        .put("price", 89.99)
        .put("quantity", 1);
    products.addObject()
        .put("product_id", "505bd76785ebb509fc183733")
        .put("sku", "WS-014")
        .put("name", "Merino Hiking Socks (3 pack)")
        .put("category", "Accessories")
        .put("brand", "Acme")
        .put("price", 14.99)
        .put("quantity", 2);
    return event;
  }

  private static ObjectNode identify(Instant now) {
    ObjectNode event = base("identify", now, webContext("/account/settings", "Account settings | Acme Outdoor"));
    ObjectNode traits = event.putObject("traits");
    traits.put("email", "maria.lopez@example.com");
    traits.put("firstName", "Maria");
    traits.put("lastName", "Lopez");
    traits.put("phone", "+1-415-555-0134");
    traits.put("plan", "premium");
    traits.put("logins", 14);
    traits.put("createdAt", "2024-03-18T09:21:44.000Z");
    traits.putObject("address")
        .put("street", "1600 Mission St")
        .put("city", "San Francisco")
        .put("state", "CA")
        .put("postalCode", "94103")
        .put("country", "US");
    traits.putObject("company").put("id", "grp_initech").put("name", "Initech").put("industry", "Software");
    return event;
  }

  private static ObjectNode page(Instant now) {
    ObjectNode event = base("page", now, webContext("/pricing", "Pricing | Acme Outdoor"));
    event.put("name", "Pricing");
    event.put("category", "Marketing");
    event.putObject("properties")
        .put("path", "/pricing")
        .put("referrer", "https://www.google.com/")
        .put("search", "?utm_source=google&utm_medium=cpc")
        .put("title", "Pricing | Acme Outdoor")
        .put("url", "https://www.acme-outdoor.example/pricing?utm_source=google&utm_medium=cpc");
    return event;
  }

  private static ObjectNode screen(Instant now) {
    ObjectNode context = JSON.objectNode();
    context.putObject("app").put("name", "Acme Outdoor").put("version", "5.2.1").put("build", "5210").put("namespace", "com.acme.outdoor");
    context.putObject("device")
        .put("id", "B5372DB0-C21E-11E4-8DFC-AA07A5B093DB")
        .put("manufacturer", "Apple")
        .put("model", "iPhone15,3")
        .put("type", "ios");
    context.putObject("library").put("name", "analytics-ios").put("version", "4.1.8");
    context.putObject("os").put("name", "iOS").put("version", "17.4.1");
    context.putObject("network").put("wifi", true).put("cellular", false).put("carrier", "T-Mobile");
    context.putObject("screen").put("width", 430).put("height", 932).put("density", 3);
    context.put("locale", "en-US");
    context.put("timezone", "America/Los_Angeles");
    ObjectNode event = base("screen", now, context);
    event.put("name", "Checkout");
    event.putObject("properties").put("step", 2).put("cart_items", 3).put("cart_value", 119.98);
    return event;
  }

  private static ObjectNode group(Instant now) {
    ObjectNode event = base("group", now, webContext("/team/billing", "Team billing | Acme Outdoor"));
    event.put("groupId", "grp_" + Ids.random(10));
    event.putObject("traits")
        .put("name", "Initech")
        .put("industry", "Software")
        .put("employees", 240)
        .put("plan", "enterprise")
        .put("website", "https://initech.example")
        .put("createdAt", "2023-11-02T16:05:00.000Z");
    return event;
  }

  private static ObjectNode alias(Instant now) {
    ObjectNode event = base("alias", now, webContext("/signup/welcome", "Welcome | Acme Outdoor"));
    event.put("previousId", event.path("anonymousId").asText());
    return event;
  }

  private static ObjectNode base(String type, Instant now, ObjectNode context) {
    ObjectNode event = JSON.objectNode();
    event.put("type", type);
    event.put("messageId", "test-" + Ids.random(20));
    event.put("userId", "user_" + Ids.random(8));
    event.put("anonymousId", "anon_" + Ids.random(12));
    event.set("context", context);
    event.putObject("integrations");
    event.put("timestamp", now.truncatedTo(ChronoUnit.MILLIS).toString());
    return event;
  }

  private static ObjectNode webContext(String path, String title) {
    String url = "https://www.acme-outdoor.example" + path;
    ObjectNode context = JSON.objectNode();
    context.put("ip", "203.0.113.42");
    context.put("locale", "en-US");
    context.put("timezone", "America/New_York");
    context.put(
        "userAgent",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15");
    context.putObject("library").put("name", "analytics.js").put("version", "next-1.70.0");
    context.putObject("page")
        .put("path", path)
        .put("referrer", "https://www.google.com/")
        .put("search", "")
        .put("title", title)
        .put("url", url);
    context.putObject("campaign").put("name", "spring_sale").put("source", "google").put("medium", "cpc");
    return context;
  }
}
