package dev.relay.delivery;

import java.util.Optional;

/**
 * A destination's answer: the status, the start of its body (what the audit trail keeps), its
 * Retry-After header, if any, and the body as read (up to relay.delivery.max-response-bytes), which
 * a batch API's per-event results are read from.
 */
public record DeliveryResponse(int status, String bodyExcerpt, Optional<String> retryAfter, String body) {

  /** An answer whose whole body is its excerpt. */
  public DeliveryResponse(int status, String body, Optional<String> retryAfter) {
    this(status, body, retryAfter, body);
  }
}
