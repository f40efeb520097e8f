package dev.relay.delivery;

import dev.relay.catalog.DestinationType;
import dev.relay.catalog.OutgoingRequest;
import dev.relay.catalog.Outcome;
import dev.relay.core.CborSerializable;
import java.time.Instant;
import java.util.Optional;

/**
 * One request and what came of it: the request as recorded (credentials redacted), and the answer
 * or the error; {@code addressRefused} when the error is that the destination's address may not be
 * connected to, which retrying cannot fix.
 */
public record Exchange(
    Instant startedAt,
    long durationMs,
    OutgoingRequest request,
    Optional<DeliveryResponse> response,
    Optional<String> error,
    boolean addressRefused)
    implements CborSerializable {

  /**
   * What the exchange means, by the destination type's reading of the answer; no answer means
   * retry, but for a refused address, which no retry changes.
   */
  public Outcome verdict(DestinationType type) {
    if (addressRefused) {
      return Outcome.FAILED;
    }
    return response.map(r -> type.readResponse(r.status(), r.bodyExcerpt())).orElse(Outcome.RETRY);
  }
}
