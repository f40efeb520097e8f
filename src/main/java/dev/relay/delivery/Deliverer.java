package dev.relay.delivery;

import dev.relay.catalog.OutgoingRequest;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Sends a request to a destination. The future fails on a network error or when no answer came
 * within {@code timeout}; any HTTP answer, whatever its status, completes it.
 */
public interface Deliverer {
  CompletionStage<DeliveryResponse> send(OutgoingRequest request, Duration timeout);
}
