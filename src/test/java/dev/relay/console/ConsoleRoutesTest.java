package dev.relay.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.RouteTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/** The console's files: served from the jar, with caching and a policy that keeps the page to this origin. */
class ConsoleRoutesTest extends RouteTestSupport {

  private final ConsoleRoutes console =
      new ConsoleRoutes(new ObjectMapper(), new ConsoleSettings(Duration.ofSeconds(3), 25, Duration.ofDays(365)));

  @Test
  void thePageIsServedAtTheRootWithAPolicyThatAllowsNoOtherHost() {
    TestRouteResult page = sealed(console.route()).run(HttpRequest.GET("/"));
    page.assertStatusCode(StatusCodes.OK);
    assertTrue(page.entityString().contains("<div id=\"app\">"));
    String policy = page.response().getHeader("Content-Security-Policy").orElseThrow().value();
    assertTrue(policy.startsWith("default-src 'self';"), policy);
    assertFalse(policy.contains("http"), "no outside host is allowed: " + policy);
    assertFalse(policy.contains("unsafe"), "no inline or eval'd script or style: " + policy);
    assertEquals("no-cache", page.response().getHeader("Cache-Control").orElseThrow().value());
  }

  @Test
  void everyScriptAndStylesheetOfThePageIsInTheJar() {
    String index = sealed(console.route()).run(HttpRequest.GET("/")).entityString();
    Matcher reference = Pattern.compile("(?:src|href)=\"(/console/[^\"]+)\"").matcher(index);
    List<String> files = new ArrayList<>();
    while (reference.find()) {
      files.add(reference.group(1));
    }
    assertTrue(files.size() >= 7, "the page loads its libraries and its own code: " + files);
    for (String file : files) {
      TestRouteResult served = sealed(console.route()).run(HttpRequest.GET(file));
      assertEquals(200, served.response().status().intValue(), file);
      String type = served.response().entity().getContentType().mediaType().toString();
      assertTrue(type.equals(file.endsWith(".css") ? "text/css" : "application/javascript"), file + " as " + type);
      String cache = served.response().getHeader("Cache-Control").orElseThrow().value();
      // Library paths carry their version, so browsers may keep them; the console's own files are checked each time.
      assertEquals(file.startsWith("/console/webjars/") ? "public, max-age=31536000, immutable" : "no-cache", cache, file);
    }
  }

  @Test
  void bootDataHasTheConsolesSettingsAndASampleEventOfEveryCallType() {
    TestRouteResult boot = sealed(console.route()).run(HttpRequest.GET("/console/boot.json"));
    boot.assertStatusCode(StatusCodes.OK);
    JsonNode json = json(boot.entityString());
    assertEquals(3000, json.path("refreshIntervalMs").asInt());
    assertEquals(25, json.path("journalPageSize").asInt());
    for (String type : List.of("track", "identify", "page", "screen", "group", "alias")) {
      assertEquals(type, json.path("sampleEvents").path(type).path("type").asText(), type);
    }
  }

  @Test
  void nothingOutsideTheConsolesFilesIsServed() {
    for (String path : List.of("/console/nope.js", "/console/../application.conf", "/console/%2e%2e/application.conf", "/application.conf")) {
      TestRouteResult answer = sealed(console.route()).run(HttpRequest.GET(path));
      assertEquals(404, answer.response().status().intValue(), path);
      assertTrue(json(answer.entityString()).has("error"), path);
    }
  }
}
