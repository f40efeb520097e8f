package dev.relay.destination;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.relay.catalog.OutgoingRequest;
import dev.relay.delivery.AddressRefused;
import dev.relay.delivery.Deliverer;
import dev.relay.delivery.DeliveryResponse;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A deliverer whose requests the test takes one by one and answers by hand. */
final class ScriptedDeliverer implements Deliverer {

  record Sent(OutgoingRequest request, Duration timeout, CompletableFuture<DeliveryResponse> answer) {
    void answer(int status) {
      answer.complete(new DeliveryResponse(status, "{\"status\":" + status + "}", Optional.empty()));
    }

    void answer(int status, String retryAfter) {
      answer.complete(new DeliveryResponse(status, "", Optional.of(retryAfter)));
    }

    /** Answers with {@code body}, e.g. a batch API's per-event results. */
    void answerWithBody(int status, String body) {
      answer.complete(new DeliveryResponse(status, body, Optional.empty()));
    }

    void refuseConnection() {
      answer.completeExceptionally(new ConnectException("Connection refused"));
    }

    /** The address policy refused the destination's address, as the deliverer reports it. */
    void refuseAddress(String message) {
      answer.completeExceptionally(new java.util.concurrent.CompletionException(new AddressRefused(message)));
    }
  }

  private final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();

  @Override
  public CompletionStage<DeliveryResponse> send(OutgoingRequest request, Duration timeout) {
    CompletableFuture<DeliveryResponse> answer = new CompletableFuture<>();
    sent.add(new Sent(request, timeout, answer));
    return answer;
  }

  /** The next request the entity sent, waiting for it up to 5 s. */
  Sent next() {
    try {
      Sent next = sent.poll(5, TimeUnit.SECONDS);
      assertNotNull(next, "expected the entity to send a request");
      return next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Asserts the entity sends nothing more within {@code quiet}. */
  void expectNothing(Duration quiet) {
    try {
      Sent next = sent.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
      assertNull(next, () -> "expected no request, got " + next.request());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  void clear() {
    sent.clear();
  }
}
