package dev.relay.catalog;

import static dev.relay.catalog.Outcome.DELIVERED;
import static dev.relay.catalog.Outcome.FAILED;
import static dev.relay.catalog.Outcome.RETRY;
import static dev.relay.catalog.VendorTypes.IDENTIFY;
import static dev.relay.catalog.VendorTypes.TIME_MS;
import static dev.relay.catalog.VendorTypes.TRACK;
import static dev.relay.catalog.VendorTypes.json;
import static dev.relay.catalog.VendorTypes.outcomes;
import static dev.relay.catalog.VendorTypes.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class MixpanelDestinationTest {

  private final MixpanelDestination mixpanel = new MixpanelDestination(VendorTypes.JSON);
  private final JsonNode settings = json("{\"projectToken\": \"tok-1\", \"apiSecret\": \"sec-1\"}");

  @Test
  void trackCallsAreImportedWithStrictValidationAndTheSecretAsBasicUser() {
    OutgoingRequest request = mixpanel.buildRequest(settings, "trackEvent", List.of(payload(mixpanel, "Track Calls", TRACK)));
    assertEquals("POST", request.method());
    assertEquals("https://api.mixpanel.com/import?strict=1", request.url());
    assertEquals("Basic " + Base64.getEncoder().encodeToString("sec-1:".getBytes()), request.headers().get("Authorization"));
    assertEquals("application/json", request.headers().get("Content-Type"));
    JsonNode body = json(request.body());
    assertTrue(body.isArray());
    JsonNode event = body.get(0);
    assertEquals("Order Completed", event.path("event").asText());
    JsonNode properties = event.path("properties");
    assertTrue(properties.path("time").isIntegralNumber(), "time is a number: " + properties);
    assertEquals(TIME_MS, properties.path("time").asLong());
    assertEquals("u-1", properties.path("distinct_id").textValue());
    assertEquals("m-1", properties.path("$insert_id").textValue());
    assertEquals("203.0.113.7", properties.path("ip").textValue());
    assertEquals(10, properties.path("revenue").intValue());
    assertEquals("EUR", properties.path("currency").textValue());
  }

  @Test
  void pagesAreViewedEventsAndAnonymousUsersGoByTheirAnonymousId() {
    String page = "{\"type\": \"page\", \"name\": \"Pricing\", \"anonymousId\": \"a-7\", \"messageId\": \"m-3\", \"timestamp\": \"2026-11-01T10:00:00Z\"}";
    JsonNode event = json(mixpanel.buildRequest(settings, "trackEvent", List.of(payload(mixpanel, "Page Calls", page))).body()).get(0);
    assertEquals("Viewed Pricing", event.path("event").asText());
    assertEquals("a-7", event.path("properties").path("distinct_id").asText());
  }

  @Test
  void aMessageIdMixpanelWouldRefuseAsInsertIdBecomesAStableUuid() {
    String id = "ajs-next-1793527200000-" + "f".repeat(40);
    assertEquals(36, MixpanelDestination.insertId(id).length());
    assertEquals(MixpanelDestination.insertId(id), MixpanelDestination.insertId(id));
    assertEquals("m-1", MixpanelDestination.insertId("m-1"));
  }

  @Test
  void identifyCallsSetTheProfileThroughEngageWithTheTokenAndReservedTraitNames() {
    OutgoingRequest request =
        mixpanel.buildRequest(settings, "identifyUser", List.of(payload(mixpanel, "Identify Calls", IDENTIFY)));
    assertEquals("POST", request.method());
    assertEquals("https://api.mixpanel.com/engage?verbose=1", request.url());
    assertFalse(request.headers().containsKey("Authorization"), "Engage is authenticated by $token");
    JsonNode update = json(request.body()).get(0);
    assertEquals("tok-1", update.path("$token").textValue());
    assertEquals("u-1", update.path("$distinct_id").textValue());
    assertEquals("203.0.113.7", update.path("$ip").textValue());
    assertEquals(json("{\"$email\": \"ada@example.com\", \"$first_name\": \"Ada\", \"plan\": \"pro\"}"), update.path("$set"));
  }

  @Test
  void theRegionChoosesTheHostAndAnEndpointReplacesIt() {
    assertEquals("https://api-eu.mixpanel.com/import?strict=1",
        mixpanel.buildRequest(json("{\"apiSecret\": \"s\", \"region\": \"eu\"}"), "trackEvent", List.of(json("{}"))).url());
    assertEquals("https://api-in.mixpanel.com/engage?verbose=1",
        mixpanel.buildRequest(json("{\"projectToken\": \"t\", \"region\": \"in\"}"), "identifyUser", List.of(json("{}"))).url());
    JsonNode proxied = json("{\"apiSecret\": \"s\", \"region\": \"eu\", \"endpoint\": \"http://127.0.0.1:9/mp/\"}");
    assertEquals("http://127.0.0.1:9/mp/import?strict=1", mixpanel.buildRequest(proxied, "trackEvent", List.of(json("{}"))).url());
    assertEquals(List.of("http://127.0.0.1:9/mp"), mixpanel.endpoints(proxied));
  }

  @Test
  void batchesHoldUpTo2000RecordsAndTheDocumentedBytes() {
    assertEquals(2000, mixpanel.batchSize(settings));
    assertEquals(50, mixpanel.batchSize(json("{\"batchSize\": 50}")));
    assertEquals(10_000_000, mixpanel.maxRequestBytes(settings, "trackEvent"));
    assertEquals(2_000_000, mixpanel.maxRequestBytes(settings, "identifyUser"));
    OutgoingRequest two = mixpanel.buildRequest(settings, "trackEvent",
        List.of(payload(mixpanel, "Track Calls", TRACK), payload(mixpanel, "Track Calls", TRACK)));
    assertEquals(2, json(two.body()).size());
  }

  @Test
  void failedRecordsFailAloneAndTheRestOfTheImportIsDelivered() {
    String answer =
        """
        {"code": 400, "error": "some data points in the request failed validation", "status": "Bad Request",
         "num_records_imported": 2,
         "failed_records": [{"index": 1, "insert_id": "m-2", "field": "properties.time", "message": "'properties.time' is invalid"},
                            {"index": 3, "insert_id": "m-4", "field": "properties.distinct_id", "message": "invalid"}]}
        """;
    assertEquals(List.of(DELIVERED, FAILED, DELIVERED, FAILED), outcomes(mixpanel, 400, answer, 4));
  }

  @Test
  void answersAreClassified() {
    assertEquals(List.of(DELIVERED, DELIVERED), outcomes(mixpanel, 200, "{\"code\": 200, \"num_records_imported\": 2, \"status\": \"OK\"}", 2));
    assertEquals(List.of(FAILED, FAILED), outcomes(mixpanel, 400, "{\"code\": 400, \"error\": \"invalid JSON\"}", 2));
    assertEquals(List.of(FAILED), outcomes(mixpanel, 401, "{\"error\": \"Invalid credentials\"}", 1));
    assertEquals(List.of(RETRY, RETRY), outcomes(mixpanel, 429, "", 2));
    assertEquals(List.of(RETRY), outcomes(mixpanel, 502, "", 1));
    assertTrue(mixpanel.readBatchResponse(413, "", 4).splits(4), "a 413 splits the batch");
    assertEquals(List.of(FAILED), outcomes(mixpanel, 200, "{\"status\": 0, \"error\": \"$distinct_id is missing\"}", 1));
    assertEquals(List.of(DELIVERED), outcomes(mixpanel, 200, "{\"status\": 1, \"error\": null}", 1));
  }
}
