package dev.relay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.mapping.Mapping;
import dev.relay.mapping.MappingLimits;
import dev.relay.mapping.Trigger;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cost per event of deciding whether an action applies (trigger) and building its payload
 * (mapping), for the webhook's default action and for a realistic 12-field action.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MappingBenchmark {
  private static final String WEBHOOK_TRIGGER = "type = \"track\" or type = \"identify\" or type = \"page\""
      + " or type = \"screen\" or type = \"group\" or type = \"alias\"";
  private static final String WEBHOOK_MAPPING = "{\"@path\": \"$.\"}";

  private static final String ORDER_TRIGGER =
      "type = \"track\" and event = \"Order Completed\" and properties.revenue > 0";
  private static final String ORDER_MAPPING = """
      {
        "event_name": {"@path": "$.event"},
        "user_id": {"@if": {"exists": {"@path": "$.userId"},
                            "then": {"@path": "$.userId"}, "else": {"@path": "$.anonymousId"}}},
        "email": {"@case": {"operator": "lower", "value": {"@path": "$.context.traits.email"}}},
        "order_id": {"@path": "$.properties.order_id"},
        "revenue": {"@path": "$.properties.revenue"},
        "currency": {"@case": {"operator": "upper", "value": {"@path": "$.properties.currency"}}},
        "summary": {"@template": "Order {{properties.order_id}}: {{properties.revenue}} {{properties.currency}}"},
        "timestamp": {"@path": "$.timestamp"},
        "customer": {
          "name": {"@template": "{{context.traits.first_name}} {{context.traits.last_name}}"},
          "plan": {"@path": "$.context.traits.plan"}
        },
        "source": {"ip": {"@path": "$.context.ip"}, "campaign": {"@path": "$.context.campaign.name"}},
        "coupon": {"@if": {"exists": {"@path": "$.properties.coupon"},
                           "then": {"@path": "$.properties.coupon"}, "else": "none"}},
        "items": {"@arrayPath": ["$.properties.products", {
          "sku": {"@path": "$.sku"}, "name": {"@path": "$.name"},
          "price": {"@path": "$.price"}, "quantity": {"@path": "$.quantity"}
        }]}
      }
      """;

  /** An Order Completed track call as analytics.js sends it. */
  private static final String TRACK_EVENT = """
      {
        "type": "track", "event": "Order Completed",
        "userId": "u-1001", "anonymousId": "507f191e-810c-19729de860ea",
        "messageId": "ajs-next-1730455200000-4f8b1c2d", "timestamp": "2026-11-01T10:00:00.000Z",
        "sentAt": "2026-11-01T10:00:00.120Z", "receivedAt": "2026-11-01T10:00:00.431Z",
        "properties": {
          "order_id": "o-50314b8e", "checkout_id": "c-fksdjfsdjfisjf9sdfjsd9f",
          "affiliation": "Shop", "total": 139.5, "subtotal": 129.5, "revenue": 129.5,
          "shipping": 5, "tax": 4.2, "discount": 0, "coupon": "WINTER10", "currency": "eur",
          "products": [
            {"product_id": "507f1f77", "sku": "A-1", "category": "Lighting", "name": "Lamp",
             "brand": "Lumen", "variant": "white", "price": 99.5, "quantity": 1, "position": 1,
             "url": "https://shop.example/p/lamp", "image_url": "https://shop.example/p/lamp.jpg"},
            {"product_id": "505bd76", "sku": "B-2", "category": "Lighting", "name": "Bulb",
             "brand": "Lumen", "variant": "E27", "price": 15, "quantity": 2, "position": 2,
             "url": "https://shop.example/p/bulb", "image_url": "https://shop.example/p/bulb.jpg"}
          ]
        },
        "context": {
          "ip": "203.0.113.7", "locale": "de-DE", "timezone": "Europe/Berlin",
          "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15",
          "library": {"name": "analytics.js", "version": "next-1.70.0"},
          "page": {"path": "/checkout", "referrer": "https://shop.example/cart", "search": "",
                   "title": "Checkout", "url": "https://shop.example/checkout"},
          "campaign": {"name": "winter", "source": "newsletter", "medium": "email"},
          "traits": {"email": "Ada@Example.com", "first_name": "Ada", "last_name": "Lovelace", "plan": "pro"}
        },
        "integrations": {}
      }
      """;

  private Trigger webhookTrigger;
  private Mapping webhookMapping;
  private Trigger orderTrigger;
  private Mapping orderMapping;
  private JsonNode event;

  @Setup
  public void compile() throws IOException {
    ObjectMapper json = new ObjectMapper();
    // application.conf's defaults (relay.mapping.*)
    MappingLimits limits = new MappingLimits(4096, 32, 65536);
    webhookTrigger = Trigger.compile(WEBHOOK_TRIGGER, limits);
    webhookMapping = Mapping.compile(json.readTree(WEBHOOK_MAPPING), limits);
    orderTrigger = Trigger.compile(ORDER_TRIGGER, limits);
    orderMapping = Mapping.compile(json.readTree(ORDER_MAPPING), limits);
    event = json.readTree(TRACK_EVENT);
    if (!orderTrigger.matches(event) || orderMapping.apply(event).size() != 12) {
      throw new IllegalStateException("the benchmark fixture no longer exercises the mapping");
    }
  }

  /** Webhook default action: six-way type trigger plus the whole event as payload. */
  @Benchmark
  public JsonNode webhookDefaultAction() {
    return webhookTrigger.matches(event) ? webhookMapping.apply(event) : null;
  }

  /** A realistic action: three-part trigger plus a 12-field mapping with an item array. */
  @Benchmark
  public JsonNode orderCompletedTwelveFields() {
    return orderTrigger.matches(event) ? orderMapping.apply(event) : null;
  }

  /** The trigger of the realistic action alone. */
  @Benchmark
  public void orderCompletedTriggerOnly(Blackhole blackhole) {
    blackhole.consume(orderTrigger.matches(event));
  }

  /** The mapping of the realistic action alone. */
  @Benchmark
  public JsonNode orderCompletedMappingOnly() {
    return orderMapping.apply(event);
  }
}
