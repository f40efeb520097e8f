package dev.relay.event;

/**
 * Size and shape limits for one ingest request.
 *
 * @param maxEventBytes largest single call, in bytes as the client sent it
 * @param maxRequestBytes largest request body, in bytes
 * @param maxNestingDepth deepest nesting of objects and arrays, counted from the request body
 *     (the body is level 1; a batch item is level 3)
 */
public record EventLimits(int maxEventBytes, int maxRequestBytes, int maxNestingDepth) {

  public EventLimits {
    if (maxEventBytes <= 0 || maxRequestBytes <= 0 || maxNestingDepth < 3) {
      throw new IllegalArgumentException(
          "limits must be positive and allow a batch item (depth 3): " + maxEventBytes + ", "
              + maxRequestBytes + ", " + maxNestingDepth);
    }
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
