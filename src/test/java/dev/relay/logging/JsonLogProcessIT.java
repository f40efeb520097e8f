package dev.relay.logging;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.ProcessClient;
import dev.relay.testing.RelayProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged node started with RELAY_LOG_FORMAT=json writes nothing but JSON lines to stdout. */
class JsonLogProcessIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "json-log-admin-token-0123456789abcdef";
  /**
   * pekko-projection-jdbc 1.0.0 prints this with println when a projection stops (in
   * JdbcProjectionImpl.JdbcRunningProjection), past any logging; drop this once an upgrade no
   * longer prints it.
   */
  private static final String STRAY_PRINTLN = "# stop org.apache.pekko.projection.jdbc.internal.JdbcProjectionImpl";

  @TempDir Path work;

  @Test
  void everyLineIsAJsonObjectAndALineAboutADestinationCarriesItsId() {
    Map<String, String> env = Map.of(
        "RELAY_LOG_FORMAT", "json",
        "RELAY_DATA_DIR", work.resolve("data").toString(),
        "RELAY_ADMIN_TOKEN", TOKEN);
    Path log = work.resolve("node.log");
    String destinationId;
    try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, RelayProcess.freePorts(3), log)) {
      node.awaitReady(Duration.ofSeconds(60));
      destinationId = new ProcessClient(node, TOKEN).webhook("https://example.test/hook", "");
      await(Duration.ofSeconds(10), "the destination's creation is logged",
          () -> lines(log).stream().anyMatch(line -> line.contains(destinationId)));
      int exit = node.stop(Duration.ofSeconds(30));
      assertTrue(exit == 0 || exit == 143, "SIGTERM ends the node, exit " + exit);
    }

    List<JsonNode> entries = new ArrayList<>();
    List<String> notJson = new ArrayList<>();
    for (String line : lines(log)) {
      if (line.startsWith(STRAY_PRINTLN)) {
        continue;
      }
      JsonNode entry;
      try {
        entry = JSON.readTree(line);
      } catch (IOException e) {
        notJson.add(line);
        continue;
      }
      assertTrue(entry.isObject(), line);
      for (String field : List.of("timestamp", "level", "logger", "message")) {
        assertTrue(entry.path(field).isTextual(), field + " missing in " + line);
      }
      entries.add(entry);
    }
    assertEquals(List.of(), notJson, "lines that are not JSON");
    assertTrue(entries.size() > 5, "the node logged its start: " + entries);
    JsonNode created = entries.stream()
        .filter(e -> e.path("message").asText().contains(destinationId))
        .findFirst()
        .orElseThrow();
    assertEquals(destinationId, created.path(LogFields.DESTINATION_ID).asText(), created.toString());
  }

  private static List<String> lines(Path log) {
    try {
      return Files.readAllLines(log).stream().filter(line -> !line.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
