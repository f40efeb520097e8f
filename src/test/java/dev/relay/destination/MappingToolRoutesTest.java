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

  private final TestRoute route = sealed(new MappingToolRoutes(JSON, new MappingLimits(4096, 32, 65536)).route());
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
}
