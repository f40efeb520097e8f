package dev.relay.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Problem;
import dev.relay.http.Json;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /api/destinations/{id}/test}: the API call tester. The event is checked before the
 * destination is looked up, so a bad one is a 400 either way; an unknown destination is a 404.
 */
public final class TesterRoutes extends AllDirectives {

  private final Destinations destinations;
  private final ApiCallTester tester;
  private final ObjectMapper mapper;

  public TesterRoutes(Destinations destinations, ApiCallTester tester, ObjectMapper mapper) {
    this.destinations = destinations;
    this.tester = tester;
    this.mapper = mapper;
  }

  /** The route under {@code /api/destinations/{destinationId}/}. */
  public Route route(String destinationId) {
    return path("test", () -> post(() -> Json.withBody(mapper, body -> test(destinationId, body))));
  }

  private Route test(String destinationId, JsonNode body) {
    ObjectNode event = tester.eventOf(body);
    return onSuccess(
        destinations.find(destinationId)
            .thenCompose(
                found -> {
                  if (found.isEmpty()) {
                    throw Problem.notFound("no destination " + destinationId);
                  }
                  return tester.send(destinationId, event);
                })
            .thenApply(report -> testJson(event, report)),
        json -> Json.ok(mapper, json));
  }

  private ObjectNode testJson(ObjectNode event, TestReport report) {
    ObjectNode json = mapper.createObjectNode();
    ArrayNode results = json.putArray("results");
    for (TestReport.Result result : report.results()) {
      ObjectNode entry = results.addObject();
      entry.put("action", result.actionName());
      entry.put("actionId", result.actionId());
      entry.put("itemId", result.itemId());
      entry.set("request", mapper.valueToTree(result.request()));
      if (result.status().isPresent() || result.body().isPresent()) {
        entry.putObject("response")
            .put("status", result.status().orElse(null))
            .put("body", result.body().orElse(null));
      } else {
        entry.putNull("response");
      }
      entry.put("outcome", result.outcome().wireName());
      entry.put("durationMs", result.durationMs());
      entry.put("error", result.error().orElse(null));
    }
    json.set("event", event);
    return json;
  }
}
