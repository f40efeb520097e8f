package dev.relay.event;

import dev.relay.core.SettingRules;

/**
 * Size and shape limits for one ingest request.
 *
 * @param maxEventBytes largest single call, in bytes as the client sent it
 * @param maxRequestBytes largest request body, in bytes
 * @param maxNestingDepth deepest nesting of objects and arrays, counted from the request body
 *     (the body is level 1; a batch item is level 3)
 */
public record EventLimits(int maxEventBytes, int maxRequestBytes, int maxNestingDepth) {

  /** Where the limits are configured (application.conf); refusals name the key. */
  public static final String MAX_EVENT_BYTES = "relay.ingest.max-event-bytes";
  public static final String MAX_REQUEST_BYTES = "relay.ingest.max-request-bytes";
  public static final String MAX_NESTING_DEPTH = "relay.ingest.max-nesting-depth";

  public EventLimits {
    SettingRules.atLeast(MAX_EVENT_BYTES, maxEventBytes, 1);
    SettingRules.notBelow(MAX_REQUEST_BYTES, maxRequestBytes, MAX_EVENT_BYTES, maxEventBytes);
    // A batch item is level 3: any less and no batch could be accepted.
    SettingRules.atLeast(MAX_NESTING_DEPTH, maxNestingDepth, 3);
  }

  /**
   * Segment's published limits: 32 KB per call, 500 KB per request (the KB of its SDKs, 1024
   * bytes). Depth 64: real events rarely pass 10 levels (context.device, properties.products[]),
   * and 64 keeps every recursive walk over an event (mapping, triggers, serialization) far from
   * a stack overflow while leaving generous room for nested properties.
   */
  public static EventLimits defaults() {
    return new EventLimits(32 * 1024, 500 * 1024, 64);
  }
}
