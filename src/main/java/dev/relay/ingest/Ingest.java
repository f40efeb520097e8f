package dev.relay.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.cluster.Readiness;
import dev.relay.core.Problem;
import dev.relay.destination.DestinationCommand.Incoming;
import dev.relay.event.IngestParser;
import dev.relay.event.IngestRequest;
import dev.relay.event.InvalidRequest;
import dev.relay.metrics.Metrics;
import dev.relay.source.SourceDirectory;
import dev.relay.source.SourceRoute;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Accepting events from sources: validate and enrich the request, find the source by its write key,
 * and hand the events to every connected destination. Completes only when all of them have journaled
 * what the events trigger: that is what {@code 200} promises.
 */
public final class Ingest {

  private final IngestParser parser;
  private final SourceDirectory directory;
  private final DestinationBatcher batcher;
  private final Readiness readiness;
  private final Clock clock;
  private final IngestMetrics metrics;

  public Ingest(ActorSystem<?> system, ObjectMapper mapper, IngestSettings settings, SourceDirectory directory, Clock clock) {
    this.parser = new IngestParser(mapper, settings.limits());
    this.directory = directory;
    this.batcher = new DestinationBatcher(system, settings);
    this.readiness = Readiness.get(system);
    this.clock = clock;
    this.metrics = new IngestMetrics(Metrics.get(system).registry());
  }

  IngestMetrics metrics() {
    return metrics;
  }

  /**
   * @param endpoint the call type of the URL, or "batch"
   * @param authWriteKey the write key from HTTP Basic auth, if sent
   */
  public CompletionStage<Done> accept(String endpoint, byte[] body, Optional<String> authWriteKey) {
    IngestRequest request;
    try {
      request = parser.parse(endpoint, body, clock.instant());
    } catch (InvalidRequest invalid) {
      return CompletableFuture.failedFuture(invalid.problem());
    }
    int events = request.events().size();
    return handOver(request, authWriteKey)
        .whenComplete((done, failure) -> metrics.events(endpoint, events, failure));
  }

  private CompletionStage<Done> handOver(IngestRequest request, Optional<String> authWriteKey) {
    Optional<String> writeKey = authWriteKey.filter(k -> !k.isEmpty()).or(request::writeKey);
    if (writeKey.isEmpty()) {
      return CompletableFuture.failedFuture(
          Problem.unauthenticated("missing write key: send it as the HTTP Basic username or as \"writeKey\""));
    }
    if (!readiness.isReady(SourceDirectory.READY)) {
      return CompletableFuture.failedFuture(Problem.unavailable("node is starting; retry"));
    }
    return directory
        .byWriteKey(writeKey.get())
        .thenCompose(
            source ->
                source
                    .map(route -> deliver(route, request))
                    .orElseGet(() -> CompletableFuture.failedFuture(Problem.unauthenticated("unknown write key"))));
  }

  private CompletionStage<Done> deliver(SourceRoute source, IngestRequest request) {
    if (source.destinations().isEmpty()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    List<Incoming> events = request.events().stream().map(e -> new Incoming(source.id(), e)).toList();
    CompletableFuture<?>[] durable =
        source.destinations().stream()
            .map(destinationId -> batcher.submit(destinationId, events).toCompletableFuture())
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(durable).thenApply(all -> Done.getInstance());
  }
}
