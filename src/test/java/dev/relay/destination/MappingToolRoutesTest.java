package dev.relay.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.mapping.MappingLimits;
import dev.relay.testing.RouteTestSupport;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

class MappingToolRoutesTest extends RouteTestSupport {

  private final TestRoute route = sealed(new MappingToolRoutes(JSON, new MappingLimits(4096, 32, 65536), 64).route());
  private static final String EVENT =
      "{\"type\":\"track\",\"event\":\"Order Completed\",\"properties\":{\"revenue\":129.5,\"currency\":\"eur\"}}";

  @Test
  void aMappingPreviewReturnsTheMappedValue() {
    TestRouteResult result =
        route.run(postJson("/mapping/preview",
            "{\"mapping\":{\"total\":{\"@path\":\"$.properties.revenue\"},\"cur\":{\"@case\":{\"operator\":\"upper\",\"value\":{\"@path\":\"$.properties.currency\"}}}},\"event\":" + EVENT + "}"));
    result.assertStatusCode(StatusCodes.OK);
    assertEquals(json("{\"result\":{\"total\":129.5,\"cur\":\"EUR\"}}"), json(result.entityString()));
  }

  @Test
  void anInvalidMappingIsA400NamingThePath() {
    TestRouteResult result =
        route.run(postJson("/mapping/preview", "{\"mapping\":{\"x\":{\"@nosuch\":1}},\"event\":" + EVENT + "}"));
    result.assertStatusCode(StatusCodes.BAD_REQUEST);
    String error = json(result.entityString()).path("error").asText();
    assertTrue(error.contains("$.x"), error);
  }

  @Test
  void aTriggerTestSaysWhetherItMatches() {
    TestRouteResult yes =
        route.run(postJson("/triggers/test", "{\"trigger\":\"type = \\\"track\\\" and properties.revenue > 100\",\"event\":" + EVENT + "}"));
    yes.assertStatusCode(StatusCodes.OK);
    assertEquals(json("{\"matches\":true}"), json(yes.entityString()));
    TestRouteResult no =
        route.run(postJson("/triggers/test", "{\"trigger\":\"event = \\\"Signed Up\\\"\",\"event\":" + EVENT + "}"));
    assertEquals(json("{\"matches\":false}"), json(no.entityString()));
  }

  @Test
  void anInvalidTriggerIsA400WithThePosition() {
    TestRouteResult result = route.run(postJson("/triggers/test", "{\"trigger\":\"type = \",\"event\":" + EVENT + "}"));
    result.assertStatusCode(StatusCodes.BAD_REQUEST);
    String error = json(result.entityString()).path("error").asText();
    assertTrue(error.contains("position"), error);
  }

  @Test
  void aMissingEventIsA400() {
    TestRouteResult result = route.run(postJson("/triggers/test", "{\"trigger\":\"type = \\\"track\\\"\"}"));
    result.assertStatusCode(StatusCodes.BAD_REQUEST);
    assertTrue(json(result.entityString()).path("error").asText().contains("event"));
  }

  @Test
  void anEventNestedDeeperThanIngestAcceptsIsA400NamingTheLimit() {
    String deep = "{\"a\":".repeat(64) + "1" + "}".repeat(64); // with the event itself: 65 levels
    String event = "{\"type\":\"track\",\"properties\":" + deep + "}";
    for (TestRouteResult result : java.util.List.of(
        route.run(postJson("/mapping/preview", "{\"mapping\":{\"@path\":\"$.\"},\"event\":" + event + "}")),
        route.run(postJson("/triggers/test", "{\"trigger\":\"type = \\\"track\\\"\",\"event\":" + event + "}")))) {
      result.assertStatusCode(StatusCodes.BAD_REQUEST);
      String error = json(result.entityString()).path("error").asText();
      assertTrue(error.contains("event: nested more than 64 levels deep (limit relay.ingest.max-nesting-depth)"), error);
    }
    String shallower = "{\"type\":\"track\",\"properties\":" + "{\"a\":".repeat(62) + "1" + "}".repeat(62) + "}";
    route.run(postJson("/triggers/test", "{\"trigger\":\"type = \\\"track\\\"\",\"event\":" + shallower + "}"))
        .assertStatusCode(StatusCodes.OK);
  }

  @Test
  void aBodyNestedPastJacksonsLimitIsA400NamingThatLimit() {
    String deep = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
    TestRouteResult result = route.run(postJson("/mapping/preview", "{\"mapping\":" + deep + ",\"event\":{}}"));
    result.assertStatusCode(StatusCodes.BAD_REQUEST);
    String error = json(result.entityString()).path("error").asText();
    assertTrue(error.contains("nested more than 1000 levels deep (limit pekko.serialization.jackson.read.max-nesting-depth)"), error);
  }
}
