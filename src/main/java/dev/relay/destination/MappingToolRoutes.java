package dev.relay.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.relay.core.Problem;
import dev.relay.http.Json;
import dev.relay.mapping.Mapping;
import dev.relay.mapping.MappingException;
import dev.relay.mapping.MappingLimits;
import dev.relay.mapping.Trigger;
import dev.relay.mapping.TriggerException;
import java.util.Map;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /api/mapping/preview} and {@code POST /api/triggers/test}: evaluate a mapping or a
 * trigger on an event exactly as delivery would, without sending anything.
 */
public final class MappingToolRoutes extends AllDirectives {

  private final ObjectMapper mapper;
  private final MappingLimits limits;
  private final int maxEventDepth;

  /** {@code maxEventDepth}: the deepest event ingest accepts (relay.ingest.max-nesting-depth). */
  public MappingToolRoutes(ObjectMapper mapper, MappingLimits limits, int maxEventDepth) {
    this.mapper = mapper;
    this.limits = limits;
    this.maxEventDepth = maxEventDepth;
  }

  public Route route() {
    return concat(
        path(
            PathMatchers.segment("mapping").slash("preview"),
            () -> post(() -> Json.withBody(mapper, body -> Json.ok(mapper, Map.of("result", preview(body)))))),
        path(
            PathMatchers.segment("triggers").slash("test"),
            () -> post(() -> Json.withBody(mapper, body -> Json.ok(mapper, Map.of("matches", test(body)))))));
  }

  private JsonNode preview(JsonNode body) {
    JsonNode event = event(body);
    JsonNode mapping = body.get("mapping");
    if (mapping == null || mapping.isNull()) {
      throw Problem.invalid("mapping: required");
    }
    try {
      JsonNode result = Mapping.compile(mapping, limits).apply(event);
      return result.isMissingNode() ? NullNode.getInstance() : result;
    } catch (MappingException e) {
      throw Problem.invalid("invalid mapping: " + e.getMessage());
    }
  }

  private boolean test(JsonNode body) {
    JsonNode event = event(body);
    JsonNode trigger = body.get("trigger");
    if (trigger == null || !trigger.isTextual()) {
      throw Problem.invalid("trigger: required, a string");
    }
    try {
      return Trigger.compile(trigger.asText(), limits).matches(event);
    } catch (TriggerException e) {
      throw Problem.invalid("invalid trigger: " + e.getMessage());
    }
  }

  private JsonNode event(JsonNode body) {
    if (!body.isObject()) {
      throw Problem.invalid("body must be a JSON object");
    }
    JsonNode event = body.get("event");
    if (event == null || !event.isObject()) {
      throw Problem.invalid("event: required, an object");
    }
    // An event ingest would refuse is not one to try a mapping on, and its result could nest
    // deeper than the response may be written.
    if (deeperThan(event, maxEventDepth)) {
      throw Problem.invalid("event: nested more than " + maxEventDepth
          + " levels deep (limit relay.ingest.max-nesting-depth)");
    }
    return event;
  }

  /** Whether {@code node} nests deeper than {@code levels}, looking no deeper than one level more. */
  private static boolean deeperThan(JsonNode node, int levels) {
    if (!node.isContainerNode()) {
      return false;
    }
    if (levels == 0) {
      return true;
    }
    for (JsonNode child : node) {
      if (deeperThan(child, levels - 1)) {
        return true;
      }
    }
    return false;
  }
}
