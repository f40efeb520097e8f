package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/** PLACEHOLDER until FQL lands: matches `type = "x" or type = "y"` lists only. */
public final class Trigger {
  private final String source;

  private Trigger(String source) {
    this.source = source;
  }

  public static Trigger compile(String fql) {
    if (fql == null || fql.isBlank() || fql.contains("((")) {
      throw new TriggerException(0, "empty trigger");
    }
    return new Trigger(fql);
  }

  public boolean matches(JsonNode event) {
    return source.contains("\"" + event.path("type").asText() + "\"");
  }

  public String source() {
    return source;
  }
}
