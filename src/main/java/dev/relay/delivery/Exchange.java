package dev.relay.delivery;

import dev.relay.catalog.BatchReading;
import dev.relay.catalog.DestinationType;
import dev.relay.catalog.Outcome;
import dev.relay.catalog.OutgoingRequest;
import dev.relay.core.CborSerializable;
import java.time.Instant;
import java.util.Optional;

/**
 * One request and what came of it: the request as recorded (credentials redacted), and the answer
 * or the error; {@code addressRefused} when the error is that the destination's address may not be
 * connected to, which retrying cannot fix; {@code tooLarge} when the request was not sent because its
 * body exceeds the destination type's limit.
 */
public record Exchange(
    Instant startedAt,
    long durationMs,
    OutgoingRequest request,
    Optional<DeliveryResponse> response,
    Optional<String> error,
    boolean addressRefused,
    boolean tooLarge)
    implements CborSerializable {

  /**
   * What the exchange means, by the destination type's reading of the answer; no answer means
   * retry, but for a refused address, which no retry changes.
   */
  public Outcome verdict(DestinationType type) {
    return reading(type, 1).of(0, 1);
  }

  /** What the exchange means for each of the {@code count} payloads it carried. */
  public BatchReading reading(DestinationType type, int count) {
    if (addressRefused) {
      return BatchReading.all(Outcome.FAILED);
    }
    if (tooLarge) {
      return BatchReading.tooLarge();
    }
    return response
        .map(r -> type.readBatchResponse(r.status(), r.body(), count))
        .orElse(BatchReading.all(Outcome.RETRY));
  }
}
