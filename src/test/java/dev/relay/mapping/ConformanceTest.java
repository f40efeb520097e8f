package dev.relay.mapping;

import static dev.relay.mapping.JsonAssertions.assertJsonEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every vector computed with Segment's own {@code @segment/actions-core} (mappings) and
 * {@code @segment/destination-subscriptions} (triggers) must come out the same here.
 */
class ConformanceTest {
  /** The team's shared copy, next to the project, when it is there. */
  private static final Path SHARED =
      Path.of(System.getProperty("user.dir"), "..", "shared", "conformance",
          "segment-mapping-and-triggers.jsonl").normalize();
  /** The copy kept with the tests, so a clone alone (CI) runs them too. */
  private static final String KEPT = "/conformance/segment-mapping-and-triggers.jsonl";

  static Stream<Arguments> vectors() throws IOException {
    List<String> lines = Files.isRegularFile(SHARED) ? Files.readAllLines(SHARED) : kept();
    return lines.stream()
        .filter(line -> !line.isBlank())
        .map(line -> {
          JsonNode vector = JsonAssertions.json(line);
          return Arguments.of(vector.get("kind").asText() + " " + vector.get("name").asText(), vector);
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void behavesAsSegmentDoes(String name, JsonNode vector) {
    JsonNode event = vector.get("event");
    boolean error = vector.path("error").asBoolean(false);
    if (vector.get("kind").asText().equals("mapping")) {
      JsonNode mapping = vector.get("mapping");
      if (error) {
        assertThrows(MappingException.class, () -> Mapping.compile(mapping, Mappings.LIMITS));
      } else {
        assertJsonEquals(vector.get("expected"), Mapping.compile(mapping, Mappings.LIMITS).apply(event));
      }
    } else {
      String fql = vector.get("trigger").asText();
      if (error) {
        assertThrows(TriggerException.class, () -> Trigger.compile(fql, Mappings.LIMITS));
      } else {
        assertEquals(vector.get("matches").asBoolean(), Trigger.compile(fql, Mappings.LIMITS).matches(event), fql);
      }
    }
  }

  @Test
  void readsAllFortyFiveVectors() throws IOException {
    assertEquals(45, vectors().count());
  }

  @Test
  void theKeptCopyIsTheSharedOne() throws IOException {
    Assumptions.assumeTrue(Files.isRegularFile(SHARED), "no shared/ folder next to the project");
    assertEquals(Files.readAllLines(SHARED), kept(), "update src/test/resources" + KEPT + " from " + SHARED);
  }

  private static List<String> kept() throws IOException {
    try (InputStream in = ConformanceTest.class.getResourceAsStream(KEPT)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + KEPT);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }
}
