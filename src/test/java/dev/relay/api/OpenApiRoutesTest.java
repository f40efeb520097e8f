package dev.relay.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.ingest.IngestRoutes;
import dev.relay.testing.Backend;
import dev.relay.testing.NodePerClass;
import dev.relay.testing.TestNode;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document and the routes a node serves, both ways: every documented operation is
 * served, no undocumented method is, and every path segment the route classes match is documented.
 */
class OpenApiRoutesTest extends NodePerClass {

  private static final OpenApiDocument DOCUMENT = OpenApiDocument.load();
  /** Methods a route could answer; HEAD is left out because Pekko answers it for every GET. */
  private static final List<String> PROBED = List.of("get", "put", "post", "delete", "options", "patch");
  private static final String UNKNOWN_WRITE_KEY =
      "Basic " + Base64.getEncoder().encodeToString("no-such-key:".getBytes(StandardCharsets.UTF_8));

  @Override
  protected Backend backend() {
    return Backend.H2;
  }

  @Test
  void theDocumentIsValidOpenApi31() {
    assertEquals(List.of(), DOCUMENT.parserMessages());
  }

  @Test
  void theDocumentIsServedWithoutTheAdminTokenAsItIsInTheRepository() {
    TestNode.Answer answer = node.send("GET", "/api/openapi.json", null, Map.of());
    assertEquals(200, answer.status(), answer.body());
    assertArrayEquals(DOCUMENT.bytes, answer.body().getBytes(StandardCharsets.UTF_8));
    // Only the document is open: the rest of /api still wants the token.
    assertEquals(401, node.send("GET", "/api/sources", null, Map.of()).status());
  }

  @Test
  void everyDocumentedOperationIsServed() {
    List<String> notServed = new ArrayList<>();
    for (OpenApiDocument.Operation operation : DOCUMENT.operations()) {
      TestNode.Answer answer = probe(operation.method(), operation.path());
      if (!served(answer)) {
        notServed.add(operation + " → " + answer.status() + " " + answer.body());
      }
    }
    assertEquals(List.of(), notServed);
  }

  @Test
  void noDocumentedPathAnswersAMethodTheDocumentDoesNotList() {
    Set<String> documented = new TreeSet<>();
    DOCUMENT.operations().forEach(o -> documented.add(o.toString()));
    List<String> undocumented = new ArrayList<>();
    for (String path : DOCUMENT.paths()) {
      for (String method : PROBED) {
        OpenApiDocument.Operation operation = new OpenApiDocument.Operation(method, path);
        if (documented.contains(operation.toString())) {
          continue;
        }
        TestNode.Answer answer = probe(method, path);
        if (served(answer)) {
          undocumented.add(operation + " → " + answer.status() + " " + answer.body());
        }
      }
    }
    assertEquals(List.of(), undocumented);
  }

  @Test
  void everyPathSegmentTheRouteClassesMatchIsDocumented() throws IOException {
    Set<String> documentedSegments = new TreeSet<>();
    DOCUMENT.paths().forEach(p -> documentedSegments.addAll(List.of(p.split("/"))));
    Set<String> routeSegments = routeLiterals();
    assertTrue(routeSegments.containsAll(Set.of("api", "destinations", "journal", "read-side")),
        "the scan of the route classes finds their paths: " + routeSegments);
    routeSegments.removeAll(documentedSegments);
    assertEquals(Set.of(), routeSegments, "path segments matched by a route class but in no documented path");

    List<String> undocumentedIngest = new ArrayList<>();
    for (String endpoint : ingestEndpoints()) {
      if (!DOCUMENT.paths().contains("/v1/" + endpoint)) {
        undocumentedIngest.add("/v1/" + endpoint);
      }
    }
    assertEquals(List.of(), undocumentedIngest);
  }

  /**
   * A request to {@code template} with every path parameter made up, authenticated as its part of
   * the API wants (with an unknown write key on /v1: a 401 still shows the route is there).
   */
  private TestNode.Answer probe(String method, String template) {
    String path = template.replaceAll("\\{[^}]+}", "probe-unknown");
    String body = Set.of("post", "put", "patch").contains(method) ? "{}" : null;
    Map<String, String> auth =
        path.startsWith("/v1/")
            ? Map.of("Authorization", UNKNOWN_WRITE_KEY)
            : Map.of("Authorization", "Bearer " + TestNode.ADMIN_TOKEN);
    return node.send(method.toUpperCase(Locale.ROOT), path, body, auth);
  }

  /**
   * Whether a route answered: not the 405 of a path without that method, nor the 404 of no route
   * (an unknown id's 404 names the id, and counts as served).
   */
  private static boolean served(TestNode.Answer answer) {
    if (answer.status() == 405) {
      return false;
    }
    if (answer.status() == 404 && answer.json() != null) {
      String error = answer.json().path("error").asText();
      return !error.equals("no such route") && !error.startsWith("unknown endpoint");
    }
    return true;
  }

  private static final Pattern PATH_LITERAL =
      Pattern.compile("\\b(?:path|pathPrefix|segment|slash)\\(\\s*\"([^\"]+)\"");

  /**
   * Every literal path segment in the node's route classes (those that extend AllDirectives), read
   * from src/main/java, so a route added anywhere shows up here. The console's routes and the
   * management port's are not part of /v1 or /api.
   */
  private static Set<String> routeLiterals() throws IOException {
    Set<String> literals = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        if (!source.contains("extends AllDirectives")
            || source.contains("implements ManagementRouteProvider")
            || file.getFileName().toString().startsWith("Console")) {
          continue;
        }
        Matcher matcher = PATH_LITERAL.matcher(source);
        while (matcher.find()) {
          literals.add(matcher.group(1));
        }
      }
    }
    return literals;
  }

  /** The names /v1 answers, from IngestRoutes itself. */
  @SuppressWarnings("unchecked")
  private static Set<String> ingestEndpoints() {
    try {
      Field endpoints = IngestRoutes.class.getDeclaredField("ENDPOINTS");
      endpoints.setAccessible(true);
      return ((Map<String, String>) endpoints.get(null)).keySet();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("IngestRoutes.ENDPOINTS, the names /v1 answers, is gone: update this test", e);
    }
  }
}
