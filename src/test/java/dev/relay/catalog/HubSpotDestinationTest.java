package dev.relay.catalog;

import static dev.relay.catalog.Outcome.DELIVERED;
import static dev.relay.catalog.Outcome.FAILED;
import static dev.relay.catalog.Outcome.RETRY;
import static dev.relay.catalog.VendorTypes.TRACK;
import static dev.relay.catalog.VendorTypes.json;
import static dev.relay.catalog.VendorTypes.outcomes;
import static dev.relay.catalog.VendorTypes.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class HubSpotDestinationTest {

  private final HubSpotDestination hubspot = new HubSpotDestination(VendorTypes.JSON);
  private final JsonNode settings = json("{\"accessToken\": \"pat-na1-1\"}");

  private static final String IDENTIFY =
      """
      {"type": "identify", "userId": "u-1", "traits": {"email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace",
       "company": {"name": "Analytical"}, "address": {"city": "London", "postalCode": "W1"}}}
      """;

  @Test
  void identifyUpsertsContactsByEmailInOneBatch() {
    OutgoingRequest request = hubspot.buildRequest(settings, "upsertContact",
        List.of(payload(hubspot, "Upsert Contact", IDENTIFY), payload(hubspot, "Upsert Contact", IDENTIFY.replace("ada@", "grace@"))));
    assertEquals("POST", request.method());
    assertEquals("https://api.hubapi.com/crm/v3/objects/contacts/batch/upsert", request.url());
    assertEquals("Bearer pat-na1-1", request.headers().get("Authorization"));
    assertEquals("application/json", request.headers().get("Content-Type"));
    JsonNode inputs = json(request.body()).path("inputs");
    assertEquals(2, inputs.size());
    assertEquals(json("""
        {"idProperty": "email", "id": "ada@example.com",
         "properties": {"email": "ada@example.com", "firstname": "Ada", "lastname": "Lovelace", "company": "Analytical",
                        "city": "London", "zip": "W1"}}
        """), inputs.get(0));
    assertEquals("grace@example.com", inputs.get(1).path("id").asText());
    assertEquals(100, hubspot.batchSize(settings));
  }

  @Test
  void trackSendsABehavioralEventOccurrenceWithAnIsoTimeAndAStableUuid() {
    String track = TRACK.replace("\"context\": {", "\"context\": {\"traits\": {\"email\": \"ada@example.com\"}, ");
    OutgoingRequest request = hubspot.buildRequest(json("{\"accessToken\": \"t\", \"portalId\": \"12345\"}"),
        "sendCustomBehavioralEvent", List.of(payload(hubspot, "Send Custom Behavioral Event", track)));
    assertEquals("https://api.hubapi.com/events/v3/send", request.url());
    JsonNode occurrence = json(request.body());
    assertEquals("pe12345_order_completed", occurrence.path("eventName").asText());
    assertEquals("ada@example.com", occurrence.path("email").asText());
    assertEquals("2026-11-01T10:00:00Z", occurrence.path("occurredAt").asText());
    assertEquals(HubSpotDestination.uuid("m-1"), occurrence.path("uuid").asText());
    assertEquals(36, occurrence.path("uuid").asText().length());
    assertEquals(10, occurrence.path("properties").path("revenue").intValue());
    assertEquals("pe1_already", HubSpotDestination.eventName("12345", "pe1_already"));
    assertEquals("Order Completed", HubSpotDestination.eventName("", "Order Completed"), "no portal id: as mapped");
  }

  @Test
  void severalOccurrencesGoToTheBatchEndpointAndAnEndpointReplacesTheHost() {
    JsonNode proxied = json("{\"accessToken\": \"t\", \"endpoint\": \"http://127.0.0.1:9/hs\"}");
    OutgoingRequest request = hubspot.buildRequest(proxied, "sendCustomBehavioralEvent",
        List.of(payload(hubspot, "Send Custom Behavioral Event", TRACK), payload(hubspot, "Send Custom Behavioral Event", TRACK)));
    assertEquals("http://127.0.0.1:9/hs/events/v3/send/batch", request.url());
    assertEquals(2, json(request.body()).path("inputs").size());
    assertEquals(List.of("http://127.0.0.1:9/hs"), hubspot.endpoints(proxied));
  }

  @Test
  void aBatchRefusedWholeIsNarrowedDownAndASingleRefusalFails() {
    String invalid = "{\"status\": \"error\", \"message\": \"Property values were not valid\", \"category\": \"VALIDATION_ERROR\"}";
    BatchReading batch = hubspot.readBatchResponse(400, invalid, 4);
    assertTrue(batch.splits(4));
    assertFalse(batch.shrink(), "later batches stay whole");
    assertEquals(List.of(FAILED), outcomes(hubspot, 400, invalid, 1));
    assertTrue(hubspot.readBatchResponse(207, "{\"status\": \"COMPLETE\", \"numErrors\": 1, \"errors\": [{\"status\": \"error\"}]}", 3).splits(3));
    assertEquals(List.of(FAILED), outcomes(hubspot, 207, "{\"numErrors\": 1, \"errors\": [{\"status\": \"error\"}]}", 1));
  }

  @Test
  void answersAreClassified() {
    assertEquals(List.of(DELIVERED, DELIVERED), outcomes(hubspot, 200, "{\"status\": \"COMPLETE\", \"results\": []}", 2));
    assertEquals(List.of(DELIVERED), outcomes(hubspot, 204, "", 1));
    assertEquals(List.of(FAILED, FAILED), outcomes(hubspot, 401, "{\"category\": \"INVALID_AUTHENTICATION\"}", 2));
    assertEquals(List.of(RETRY, RETRY), outcomes(hubspot, 429, "{\"category\": \"RATE_LIMITS\"}", 2));
    assertEquals(List.of(RETRY), outcomes(hubspot, 502, "", 1));
  }
}
