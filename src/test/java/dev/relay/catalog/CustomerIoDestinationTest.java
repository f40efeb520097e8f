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
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class CustomerIoDestinationTest {

  private final CustomerIoDestination cio = new CustomerIoDestination(VendorTypes.JSON);
  private final JsonNode settings = json("{\"siteId\": \"site-1\", \"apiKey\": \"key-1\"}");

  private JsonNode single(String action, String event) {
    OutgoingRequest request = cio.buildRequest(settings, VendorTypes.actionType(cio, action), List.of(payload(cio, action, event)));
    assertEquals("POST", request.method());
    assertEquals("https://track.customer.io/api/v2/entity", request.url());
    assertEquals("Basic " + Base64.getEncoder().encodeToString("site-1:key-1".getBytes()), request.headers().get("Authorization"));
    assertEquals("application/json", request.headers().get("Content-Type"));
    return json(request.body());
  }

  @Test
  void identifyCreatesOrUpdatesThePersonWithTraitsAndUnixSeconds() {
    JsonNode entity = single("Create or Update Person", IDENTIFY);
    assertEquals("person", entity.path("type").asText());
    assertEquals("identify", entity.path("action").asText());
    assertEquals(json("{\"id\": \"u-1\"}"), entity.path("identifiers"));
    assertEquals("pro", entity.path("attributes").path("plan").asText());
    assertEquals("ada@example.com", entity.path("attributes").path("email").asText());
    assertEquals("a-1", entity.path("attributes").path("anonymous_id").asText(), "the anonymous activity is merged");
    assertTrue(entity.path("timestamp").isIntegralNumber());
    assertEquals(TIME_MS / 1000, entity.path("timestamp").asLong());
  }

  @Test
  void trackPageAndScreenAreEventsOfThePerson() {
    JsonNode event = single("Track Event", TRACK);
    assertEquals("event", event.path("action").asText());
    assertEquals("Order Completed", event.path("name").asText());
    assertEquals(10, event.path("attributes").path("revenue").intValue());
    assertEquals(json("{\"id\": \"u-1\"}"), event.path("identifiers"));

    String page = "{\"type\": \"page\", \"anonymousId\": \"a-9\", \"properties\": {\"url\": \"https://acme.test/pricing\"}}";
    JsonNode viewed = single("Track Page View", page);
    assertEquals("page", viewed.path("action").asText());
    assertEquals("https://acme.test/pricing", viewed.path("name").asText());
    assertEquals(json("{\"anonymous_id\": \"a-9\"}"), viewed.path("identifiers"), "an anonymous visitor");

    JsonNode screen = single("Track Screen View", "{\"type\": \"screen\", \"name\": \"Cart\", \"userId\": \"cio_abc\"}");
    assertEquals("screen", screen.path("action").asText());
    assertEquals("Cart", screen.path("name").asText());
    assertEquals(json("{\"cio_id\": \"abc\"}"), screen.path("identifiers"));
  }

  @Test
  void groupRelatesAnObjectToThePersonAndAliasMerges() {
    String group = "{\"type\": \"group\", \"groupId\": \"acme\", \"userId\": \"ada@example.com\", \"traits\": {\"plan\": \"team\"}}";
    JsonNode object = single("Create or Update Object", group);
    assertEquals("object", object.path("type").asText());
    assertEquals("identify", object.path("action").asText());
    assertEquals(json("{\"object_type_id\": \"1\", \"object_id\": \"acme\"}"), object.path("identifiers"));
    assertEquals("team", object.path("attributes").path("plan").asText());
    assertEquals(json("[{\"identifiers\": {\"email\": \"ada@example.com\"}}]"), object.path("cio_relationships"));

    JsonNode merge = single("Merge People", "{\"type\": \"alias\", \"userId\": \"u-1\", \"previousId\": \"u-old\"}");
    assertEquals(json("{\"type\": \"person\", \"action\": \"merge\", \"primary\": {\"id\": \"u-1\"}, \"secondary\": {\"id\": \"u-old\"}}"), merge);
  }

  @Test
  void severalOperationsGoToTheBatchEndpointUnder500Kb() {
    OutgoingRequest request = cio.buildRequest(json("{\"siteId\": \"s\", \"apiKey\": \"k\", \"region\": \"eu\"}"), "trackEvent",
        List.of(payload(cio, "Track Event", TRACK), payload(cio, "Track Event", TRACK)));
    assertEquals("https://track-eu.customer.io/api/v2/batch", request.url());
    JsonNode batch = json(request.body()).path("batch");
    assertEquals(2, batch.size());
    assertEquals("event", batch.get(1).path("action").asText());
    assertEquals(100, cio.batchSize(settings));
    assertEquals(500_000, cio.maxRequestBytes(settings, "trackEvent"));
    assertEquals("http://127.0.0.1:9/cio/api/v2/entity",
        cio.buildRequest(json("{\"siteId\": \"s\", \"apiKey\": \"k\", \"endpoint\": \"http://127.0.0.1:9/cio\"}"), "trackEvent", List.of(json("{}"))).url());
  }

  @Test
  void batchErrorsFailTheirOperationsAndTheRestIsDelivered() {
    String answer =
        "{\"errors\": [{\"batch_index\": 2, \"reason\": \"required\", \"field\": \"identifiers\", \"message\": \"identifiers must be present\"}]}";
    assertEquals(List.of(DELIVERED, DELIVERED, FAILED), outcomes(cio, 207, answer, 3));
    assertEquals(List.of(FAILED, DELIVERED), outcomes(cio, 400, "{\"errors\": [{\"batch_index\": 0, \"reason\": \"invalid\"}]}", 2));
  }

  @Test
  void answersAreClassified() {
    assertEquals(List.of(DELIVERED), outcomes(cio, 200, "", 1));
    assertEquals(List.of(FAILED, FAILED), outcomes(cio, 400, "{\"meta\": {\"error\": \"name cannot be blank\"}}", 2));
    assertEquals(List.of(FAILED), outcomes(cio, 401, "{\"meta\": {\"error\": \"Unauthorized request\"}}", 1));
    assertEquals(List.of(RETRY), outcomes(cio, 429, "", 1));
    assertEquals(List.of(RETRY), outcomes(cio, 500, "", 1));
    assertTrue(cio.readBatchResponse(413, "", 2).splits(2));
  }
}
