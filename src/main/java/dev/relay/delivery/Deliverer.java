package dev.relay.delivery;

import dev.relay.catalog.OutgoingRequest;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Sends a request to a destination. The future fails on a network error, with {@link
 * AddressRefused} when the destination's address may not be reached, when no complete answer came
 * within {@code timeout}, or when the answer's body is longer than the node reads; any other HTTP
 * answer, whatever its status, completes it.
 */
public interface Deliverer {
  CompletionStage<DeliveryResponse> send(OutgoingRequest request, Duration timeout);

  /**
   * The deliverer of one destination, whose requests never wait for another destination's (its
   * connections and queue are its own). This one, where there is nothing to share.
   */
  default Deliverer forDestination(String destinationId) {
    return this;
  }
}
