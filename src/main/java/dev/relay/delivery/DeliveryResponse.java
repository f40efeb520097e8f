package dev.relay.delivery;

import java.util.Optional;

/** A destination's answer: the status, the start of its body and its Retry-After header, if any. */
public record DeliveryResponse(int status, String bodyExcerpt, Optional<String> retryAfter) {}
