package dev.relay.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.ProductionLog;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node's logback.xml with RELAY_LOG_FORMAT=json: one JSON object per line, with the MDC as fields. */
class JsonLogFormatTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HOSTILE = "name \"x\\\ny\" \u2028 \u009b31m \u007f done";

  private static LoggingEvent event(Object... arguments) {
    LoggingEvent event = new LoggingEvent(
        "dev.relay.destination.DestinationEntity", new LoggerContext().getLogger("dev.relay.destination.DestinationEntity"),
        Level.INFO, "Destination {} created: {} ({})", null, arguments);
    event.setMDCPropertyMap(Map.of(LogFields.DESTINATION_ID, "dst-1", LogFields.SOURCE_ID, "src-1"));
    return event;
  }

  @Test
  void aLineIsOneJsonObjectWithTimestampLevelLoggerMessageAndTheIdsOfWhatItConcerns() throws Exception {
    String line = ProductionLog.encode(event("dst-1", HOSTILE, "webhook"), "json");

    assertTrue(line.endsWith("\n"), line);
    assertEquals(1, line.split("\n", -1).length - 1, "one line: " + line);
    JsonNode json = JSON.readTree(line);
    assertEquals("INFO", json.path("level").asText());
    assertEquals("dev.relay.destination.DestinationEntity", json.path("logger").asText());
    assertEquals("Destination dst-1 created: " + HOSTILE + " (webhook)", json.path("message").asText(),
        "the message is the original text, escaped only as JSON");
    assertTrue(json.path("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z"), line);
    assertEquals("dst-1", json.path("destinationId").asText());
    assertEquals("src-1", json.path("sourceId").asText());
  }

  @Test
  void controlCharactersAndLineSeparatorsAreEscapedInTheLine() {
    String line = ProductionLog.encode(event("dst-1", HOSTILE, "webhook"), "json");
    String body = line.substring(0, line.length() - 1);
    for (char c : body.toCharArray()) {
      boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
      assertFalse(control, String.format("U+%04X written as it is in %s", (int) c, body));
    }
    assertTrue(body.contains("\\u2028") && body.contains("\\u009b") && body.contains("\\u007F") && body.contains("\\n"), body);
  }

  @Test
  void textStaysTheDefaultAndDoesNotChange() {
    LoggingEvent event = event("dst-1", "hook", "webhook");
    String text = ProductionLog.encode(event);
    assertTrue(text.endsWith(" INFO  d.r.d.DestinationEntity - Destination dst-1 created: hook (webhook)\n"), text);
    assertEquals(text, ProductionLog.encode(event, " Text "), "the MDC's ids are not in the text line");
  }

  @Test
  void anUnknownFormatLogsAsText() {
    String line = ProductionLog.encode(event("dst-1", "hook", "webhook"), "yaml");
    assertTrue(line.endsWith(" - Destination dst-1 created: hook (webhook)\n"), line);
  }
}
