package dev.relay.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.catalog.DestinationType;
import dev.relay.catalog.OutgoingRequest;
import dev.relay.core.AsyncFailure;
import dev.relay.mapping.Mapping;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One destination's requests, from events to an {@link Exchange}: maps the events with the action's
 * mapping, builds the request with the destination's current settings, keeps a redacted copy for
 * the record, sends it and times it. It never fails: a problem building or sending the request is
 * the exchange's error (a mapping or settings problem is fixable by the operator, so it is retried
 * like any failure). What the exchange means is for the caller to decide.
 *
 * <p>One per destination entity, used from its thread only.
 */
public final class DeliveryPipeline {

  private final Deliverer deliverer;
  private final int recordedRequestBytes;
  private final Clock clock;
  /** The secret values of the settings last used, found once per change of the settings. */
  private JsonNode secretsOf;
  private List<String> secrets;

  public DeliveryPipeline(Deliverer deliverer, int recordedRequestBytes, Clock clock) {
    this.deliverer = deliverer;
    this.recordedRequestBytes = recordedRequestBytes;
    this.clock = clock;
  }

  /** Sends {@code events}, mapped by {@code mapping}, as one request of an action of {@code actionType}. */
  public CompletionStage<Exchange> exchange(
      DestinationType type, JsonNode settings, String actionType, Mapping mapping, List<ObjectNode> events) {
    Instant startedAt = clock.instant();
    long started = System.nanoTime();
    OutgoingRequest request;
    try {
      List<JsonNode> payloads = events.stream().map(e -> payload(mapping.apply(e))).toList();
      request = type.buildRequest(settings, actionType, payloads);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(notBuilt(startedAt, e.getMessage()));
    }
    OutgoingRequest recorded = Redaction.redact(request, secrets(type, settings), recordedRequestBytes);
    int bytes = request.body().getBytes(StandardCharsets.UTF_8).length;
    int limit = type.maxRequestBytes(settings, actionType);
    if (bytes > limit) {
      // Not sent: the vendor would refuse it whole. The batch is split (a single payload fails).
      return CompletableFuture.completedFuture(
          new Exchange(
              startedAt, 0, recorded, Optional.empty(),
              Optional.of("request body of " + bytes + " bytes exceeds the " + type.type() + " limit of " + limit + " bytes: not sent"),
              false, true));
    }
    return deliverer
        .send(request, type.timeout(settings))
        .handle(
            (response, failure) ->
                new Exchange(
                    startedAt,
                    (System.nanoTime() - started) / 1_000_000,
                    recorded,
                    Optional.ofNullable(response),
                    failure == null ? Optional.empty() : Optional.of(describe(failure)),
                    failure != null && AddressRefused.in(failure).isPresent(),
                    false));
  }

  /** The exchange of a request that could not be built, and so was not sent. */
  public static Exchange notBuilt(Instant at, String why) {
    return new Exchange(
        at, 0, new OutgoingRequest("", "", Map.of(), ""), Optional.empty(),
        Optional.of("could not build the request: " + why), false, false);
  }

  private List<String> secrets(DestinationType type, JsonNode settings) {
    if (secretsOf != settings) {
      secrets = type.secretValues(settings);
      secretsOf = settings;
    }
    return secrets;
  }

  private static JsonNode payload(JsonNode mapped) {
    return mapped.isMissingNode() ? JsonNodeFactory.instance.objectNode() : mapped;
  }

  private static String describe(Throwable failure) {
    // The deliverer's own failure, not the wrapper a composed future puts around it.
    Throwable cause = AsyncFailure.unwrap(failure);
    while (cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message != null ? message : cause.getClass().getSimpleName();
  }
}
