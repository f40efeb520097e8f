package dev.relay.ingest;

import dev.relay.core.Problem;
import dev.relay.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The ingest API's meters: requests and events by endpoint and result, rejections by reason, request
 * durations and events per request. Labels are the endpoint ({@code track} … {@code batch}; {@code
 * import} counts as {@code batch}), the result ({@code accepted}, {@code rejected}: a 4xx, {@code
 * failed}: a 5xx) and the reason (a {@link Problem.Kind}, lowercase, or {@code error}): a few dozen
 * series at most, whatever clients send.
 */
final class IngestMetrics {

  static final String ACCEPTED = "accepted";

  private final MeterRegistry registry;

  IngestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A request to {@code endpoint} that started at {@code startNanos} ended, with {@code failure} if it did. */
  void request(String endpoint, long startNanos, Throwable failure) {
    String result = result(failure);
    Counter.builder("relay.ingest.requests")
        .description("ingest requests, by endpoint and result")
        .tag("endpoint", endpoint).tag("result", result)
        .register(registry).increment();
    Timer.builder(Metrics.INGEST_DURATION)
        .description("an ingest request, from the first byte of its body read to its answer")
        .tag("endpoint", endpoint)
        .register(registry).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    if (failure != null) {
      Counter.builder("relay.ingest.rejections")
          .description("ingest requests not accepted, by reason")
          .tag("endpoint", endpoint).tag("reason", reason(failure))
          .register(registry).increment();
    }
  }

  /** {@code events} valid events of a request to {@code endpoint} ended with {@code failure}, if any. */
  void events(String endpoint, int events, Throwable failure) {
    String result = result(failure);
    Counter.builder("relay.ingest.events")
        .description("events in valid ingest requests, by endpoint and the request's result")
        .tag("endpoint", endpoint).tag("result", result)
        .register(registry).increment(events);
    if (failure == null) {
      DistributionSummary.builder(Metrics.EVENTS_PER_REQUEST)
          .description("events in an accepted ingest request")
          .tag("endpoint", endpoint)
          .register(registry).record(events);
    }
  }

  private static String result(Throwable failure) {
    if (failure == null) {
      return ACCEPTED;
    }
    Optional<Problem> problem = Problem.in(failure);
    boolean clientError = problem.map(p -> p.kind() != Problem.Kind.UNAVAILABLE).orElse(false);
    return clientError ? "rejected" : "failed";
  }

  private static String reason(Throwable failure) {
    return Problem.in(failure).map(p -> p.kind().name().toLowerCase(java.util.Locale.ROOT)).orElse("error");
  }
}
