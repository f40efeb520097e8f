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
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AmplitudeDestinationTest {

  private final AmplitudeDestination amplitude = new AmplitudeDestination(VendorTypes.JSON);
  private final JsonNode settings = json("{\"apiKey\": \"key-1\"}");

  @Test
  void trackCallsGoToHttpV2WithTheKeyInTheBody() {
    OutgoingRequest request = amplitude.buildRequest(settings, "trackEvent", List.of(payload(amplitude, "Track Calls", TRACK)));
    assertEquals("POST", request.method());
    assertEquals("https://api2.amplitude.com/2/httpapi", request.url());
    assertEquals("application/json", request.headers().get("Content-Type"));
    assertFalse(request.headers().containsKey("Authorization"));
    JsonNode body = json(request.body());
    assertEquals("key-1", body.path("api_key").textValue());
    assertFalse(body.has("options"), "no options unless set");
    JsonNode event = body.path("events").get(0);
    assertEquals("Order Completed", event.path("event_type").textValue());
    assertEquals("u-1", event.path("user_id").textValue());
    assertEquals("dev-1", event.path("device_id").textValue(), "the device's id when known");
    assertTrue(event.path("time").isIntegralNumber());
    assertEquals(TIME_MS, event.path("time").asLong());
    assertEquals("m-1", event.path("insert_id").textValue());
    assertEquals("203.0.113.7", event.path("ip").textValue());
    assertEquals("iOS", event.path("os_name").textValue());
    assertEquals("en-GB", event.path("language").textValue());
    assertEquals(json("{\"revenue\": 10, \"currency\": \"EUR\"}"), event.path("event_properties"));
  }

  @Test
  void withoutADeviceIdTheAnonymousIdIsTheDeviceAndMinIdLengthIsPassedOn() {
    String anonymous = "{\"type\": \"track\", \"event\": \"E\", \"anonymousId\": \"a-7\", \"messageId\": \"m-5\"}";
    JsonNode body = json(amplitude.buildRequest(json("{\"apiKey\": \"k\", \"minIdLength\": 1}"), "trackEvent",
        List.of(payload(amplitude, "Track Calls", anonymous))).body());
    assertEquals("a-7", body.path("events").get(0).path("device_id").textValue());
    assertFalse(body.path("events").get(0).has("user_id"));
    assertEquals(1, body.path("options").path("min_id_length").intValue());
  }

  @Test
  void identifyCallsGoToTheIdentifyApiFormEncoded() {
    OutgoingRequest request =
        amplitude.buildRequest(settings, "identifyUser", List.of(payload(amplitude, "Identify Calls", IDENTIFY)));
    assertEquals("https://api2.amplitude.com/identify", request.url());
    assertEquals("application/x-www-form-urlencoded", request.headers().get("Content-Type"));
    Map<String, String> form = new LinkedHashMap<>();
    for (String pair : request.body().split("&")) {
      String[] kv = pair.split("=", 2);
      form.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    assertEquals(List.of("api_key", "identification"), List.copyOf(form.keySet()));
    assertEquals("key-1", form.get("api_key"));
    JsonNode identification = json(form.get("identification"));
    assertTrue(identification.isArray());
    assertEquals("u-1", identification.get(0).path("user_id").textValue());
    assertEquals("a-1", identification.get(0).path("device_id").textValue());
    assertEquals("pro", identification.get(0).path("user_properties").path("plan").textValue());
  }

  @Test
  void theRegionChoosesTheHostAndAnEndpointReplacesIt() {
    assertEquals("https://api.eu.amplitude.com/2/httpapi",
        amplitude.buildRequest(json("{\"apiKey\": \"k\", \"region\": \"eu\"}"), "trackEvent", List.of(json("{}"))).url());
    assertEquals("http://127.0.0.1:9/identify",
        amplitude.buildRequest(json("{\"apiKey\": \"k\", \"endpoint\": \"http://127.0.0.1:9\"}"), "identifyUser", List.of(json("{}"))).url());
  }

  @Test
  void batchesHoldUpTo2000EventsAndOneMegabyte() {
    assertEquals(2000, amplitude.batchSize(settings));
    assertEquals(10, amplitude.batchSize(json("{\"batchSize\": 10}")));
    assertEquals(1_000_000, amplitude.maxRequestBytes(settings, "trackEvent"));
  }

  @Test
  void eventsNamedInvalidFailAndTheRestOfTheRejectedBatchIsSentAgain() {
    String answer =
        """
        {"code": 400, "error": "Request missing required field",
         "events_with_invalid_fields": {"time": [3]}, "events_with_missing_fields": {"event_type": [0]}, "silenced_events": [4]}
        """;
    assertEquals(List.of(FAILED, RETRY, RETRY, FAILED, FAILED), outcomes(amplitude, 400, answer, 5));
  }

  @Test
  void answersAreClassified() {
    assertEquals(List.of(DELIVERED, DELIVERED),
        outcomes(amplitude, 200, "{\"code\": 200, \"events_ingested\": 2, \"payload_size_bytes\": 100, \"server_upload_time\": 1}", 2));
    assertEquals(List.of(FAILED, FAILED), outcomes(amplitude, 400, "{\"code\": 400, \"error\": \"Invalid API key: k\"}", 2));
    assertEquals(List.of(RETRY, RETRY), outcomes(amplitude, 429, "{\"code\": 429, \"throttled_events\": [0]}", 2));
    assertEquals(List.of(RETRY), outcomes(amplitude, 503, "", 1));
    assertTrue(amplitude.readBatchResponse(413, "{\"code\": 413, \"error\": \"Payload too large\"}", 2).splits(2));
  }
}
