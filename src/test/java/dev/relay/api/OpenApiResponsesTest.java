package dev.relay.api;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.testing.Backend;
import dev.relay.testing.NodePerClass;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Real answers of a node, to real requests along the way an operator and an SDK use it, each
 * validated against the schema the OpenAPI document gives for its operation and status; and every
 * documented operation is among them.
 */
class OpenApiResponsesTest extends NodePerClass {

  private static final OpenApiDocument DOCUMENT = OpenApiDocument.load();
  private final Set<String> checked = new TreeSet<>();

  @Override
  protected Backend backend() {
    return Backend.H2;
  }

  @Test
  void everyOperationAnswersAsTheDocumentSays() {
    // Sources
    JsonNode source = admin("POST", "/api/sources", "{\"name\": \"site\", \"type\": \"website\"}", 201);
    String sourceId = source.path("id").asText();
    String writeKey = source.path("writeKey").asText();
    admin("GET", "/api/sources", null, 200);
    admin("GET", "/api/sources/" + sourceId, null, 200);
    admin("POST", "/api/sources", "{\"name\": \"site\", \"type\": \"phone\"}", 400);
    admin("GET", "/api/sources/src-unknown", null, 404);

    // Destinations
    admin("GET", "/api/catalog", null, 200);
    JsonNode destination =
        admin("POST", "/api/destinations",
            "{\"name\": \"hook\", \"type\": \"webhook\", \"settings\": {\"url\": \"" + standIn.url("/hook")
                + "\", \"headers\": {\"Authorization\": \"Bearer secret\"}}}",
            201);
    String id = destination.path("id").asText();
    String path = "/api/destinations/" + id;
    String actionId = destination.path("actions").path(0).path("id").asText();
    admin("POST", "/api/destinations", "{\"name\": \"hook\", \"type\": \"carrier-pigeon\"}", 400);
    admin("PUT", path + "/sources/" + sourceId, null, 200);
    admin("GET", "/api/destinations", null, 200);
    admin("GET", path, null, 200);
    admin("GET", "/api/destinations/dst-unknown", null, 404);
    admin("PATCH", path + "/settings", "{\"timeoutMs\": 5000}", 200);
    admin("PATCH", path + "/settings", "{\"timeoutMs\": \"soon\"}", 400);
    admin("PATCH", path + "/actions/" + actionId, "{\"trigger\": \"type = \\\"track\\\"\"}", 200);
    admin("PUT", path + "/actions",
        "[{\"id\": \"" + actionId + "\", \"name\": \"Send\", \"type\": \"send\", \"trigger\": \"type = \\\"track\\\"\","
            + " \"mapping\": {\"@path\": \"$.\"}}]",
        200);
    admin("POST", path + "/disable", null, 200);
    admin("POST", path + "/enable", null, 200);

    // Ingest, as an SDK sends it
    ingest("OPTIONS", "/v1/track", null, null, 204);
    String basic = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    ingest("POST", "/v1/track", basic, "{\"userId\": \"u-1\", \"event\": \"Signed Up\", \"messageId\": \"m-1\"}", 200);
    ingest("POST", "/v1/identify", basic, "{\"userId\": \"u-1\", \"traits\": {\"plan\": \"pro\"}}", 200);
    ingest("POST", "/v1/page", basic, "{\"anonymousId\": \"a-1\", \"name\": \"Pricing\"}", 200);
    ingest("POST", "/v1/screen", basic, "{\"userId\": \"u-1\", \"name\": \"Home\"}", 200);
    ingest("POST", "/v1/group", basic, "{\"userId\": \"u-1\", \"groupId\": \"g-1\"}", 200);
    ingest("POST", "/v1/alias", basic, "{\"userId\": \"u-1\", \"previousId\": \"a-1\"}", 200);
    ingest("POST", "/v1/batch", basic, "{\"batch\": [{\"type\": \"track\", \"userId\": \"u-2\", \"event\": \"Paid\"}]}", 200);
    ingest("POST", "/v1/import", basic, "{\"batch\": [{\"type\": \"track\", \"userId\": \"u-3\", \"event\": \"Paid\"}]}", 200);
    ingest("POST", "/v1/track", basic, "{\"userId\": \"u-1\"}", 400);
    ingest("POST", "/v1/track", null, "{\"userId\": \"u-1\", \"event\": \"Signed Up\"}", 401);
    ingest("POST", "/v1/track", basic, "{\"userId\": \"u-1\", \"event\": \"" + "x".repeat(600_000) + "\"}", 413);

    // Journal, overview, tester: the three tracks are delivered, then read back.
    await(Duration.ofSeconds(30), "the tracks are delivered and journaled",
        () -> node.admin("GET", path + "/journal?status=delivered").json().path("items").size() == 3);
    JsonNode page = admin("GET", path + "/journal?eventType=track&limit=2", null, 200);
    admin("GET", path + "/journal?status=lost", null, 400);
    admin("GET", path + "/journal/" + page.path("items").path(0).path("id").asText(), null, 200);
    admin("GET", path + "/journal/no-such-item", null, 404);
    admin("GET", path + "/overview?interval=5m&from=" + java.time.Instant.now().minusSeconds(3600), null, 200);
    admin("GET", path + "/overview?interval=fortnight", null, 400);
    admin("POST", path + "/test", "{\"type\": \"track\"}", 200);
    standIn.alwaysAnswer(Answer.status(500));
    admin("POST", path + "/test", "{\"event\": {\"type\": \"track\", \"userId\": \"u-9\", \"event\": \"Tried\"}}", 200);
    admin("POST", path + "/test", "{\"type\": \"purchase\"}", 400);
    admin("GET", "/api/destinations/dst-unknown/journal", null, 404);

    // Replay: an action the destination refused, retried; a redrive of what failed.
    standIn.alwaysAnswer(Answer.status(400));
    ingest("POST", "/v1/track", basic, "{\"userId\": \"u-4\", \"event\": \"Refused\"}", 200);
    await(Duration.ofSeconds(30), "the refused track is journaled as failed",
        () -> node.admin("GET", path + "/journal?status=failed&event=Refused").json().path("items").size() == 1);
    String refused = node.admin("GET", path + "/journal?status=failed&event=Refused").json().path("items").path(0).path("id").asText();
    standIn.alwaysAnswer(Answer.status(200));
    admin("POST", path + "/journal/" + refused + "/retry", null, 202);
    admin("POST", path + "/journal/" + page.path("items").path(0).path("id").asText() + "/retry", null, 409);
    admin("POST", path + "/journal/no-such-item/retry", null, 404);
    admin("POST", path + "/redrive", "{\"status\": \"failed\", \"eventType\": \"track\"}", 202);
    admin("POST", path + "/redrive", "{\"status\": \"delivered\"}", 400);

    // Mapping tools
    admin("POST", "/api/mapping/preview", "{\"mapping\": {\"who\": {\"@path\": \"$.userId\"}}, \"event\": {\"userId\": \"u-1\"}}", 200);
    admin("POST", "/api/mapping/preview", "{\"mapping\": {\"@nonsense\": 1}, \"event\": {}}", 400);
    admin("POST", "/api/triggers/test", "{\"trigger\": \"type = \\\"track\\\"\", \"event\": {\"type\": \"track\"}}", 200);
    admin("POST", "/api/triggers/test", "{\"trigger\": \"type = \", \"event\": {}}", 400);

    // Read side
    admin("GET", "/api/read-side", null, 200);
    checkedAnswer(node.send("GET", "/api/openapi.json", null, Map.of()), "GET", "/api/openapi.json", 200);
    checkedAnswer(node.send("GET", "/api/sources", null, Map.of()), "GET", "/api/sources", 401);

    // Undo, in the order an operator would
    admin("DELETE", path + "/sources/" + sourceId, null, 200);
    admin("DELETE", path, null, 200);
    admin("DELETE", "/api/sources/" + sourceId, null, 200);
    admin("POST", "/api/read-side/rebuild", null, 202);

    Set<String> unchecked = new TreeSet<>();
    DOCUMENT.operations().forEach(o -> unchecked.add(o.toString()));
    unchecked.removeAll(checked);
    // One preflight stands for all eight: the same route answers every /v1 name.
    unchecked.removeIf(o -> o.startsWith("OPTIONS /v1/"));
    assertEquals(Set.of(), unchecked, "documented operations this test never saw answer");
  }

  private JsonNode admin(String method, String path, String body, int status) {
    TestNode.Answer answer =
        node.send(method, path, body, Map.of("Authorization", "Bearer " + TestNode.ADMIN_TOKEN));
    return checkedAnswer(answer, method, path, status);
  }

  private void ingest(String method, String path, String authorization, String body, int status) {
    TestNode.Answer answer =
        node.send(method, path, body, authorization == null ? Map.of() : Map.of("Authorization", authorization));
    checkedAnswer(answer, method, path, status);
  }

  private JsonNode checkedAnswer(TestNode.Answer answer, String method, String path, int status) {
    assertEquals(status, answer.status(), method + " " + path + ": " + answer.body());
    checked.add(DOCUMENT.assertConforms(method, path, answer.status(), answer.json(), answer.body()).toString());
    return answer.json();
  }
}
