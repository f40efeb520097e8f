package dev.relay.ingest;

import dev.relay.core.Problem;
import dev.relay.destination.DestinationEntity;
import dev.relay.destination.DestinationEntity.Incoming;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Groups the events of concurrent requests per destination into one {@code Accept} command, so that
 * one journal write carries many events instead of one write per event. One small stream per
 * destination on each node: requests wait at most {@code batch.window} for company.
 */
final class DestinationBatcher {

  private static final int ATTEMPTS = 3;

  private record Submission(List<Incoming> events, CompletableFuture<Done> durable) {}

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final IngestSettings settings;
  private final Map<String, BoundedSourceQueue<Submission>> queues = new ConcurrentHashMap<>();

  DestinationBatcher(ActorSystem<?> system, IngestSettings settings) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.settings = settings;
  }

  /** Completes once the destination has journaled what these events trigger. */
  CompletionStage<Done> submit(String destinationId, List<Incoming> events) {
    Submission submission = new Submission(events, new CompletableFuture<>());
    QueueOfferResult offered = queues.computeIfAbsent(destinationId, this::start).offer(submission);
    if (offered == QueueOfferResult.enqueued()) {
      return submission.durable();
    }
    if (offered instanceof QueueOfferResult.Failure || offered == QueueOfferResult.closed()) {
      queues.remove(destinationId);
    }
    return CompletableFuture.failedFuture(Problem.unavailable("too many requests waiting for destination " + destinationId + "; retry"));
  }

  private BoundedSourceQueue<Submission> start(String destinationId) {
    return Source.<Submission>queue(settings.batchQueueSize())
        .groupedWeightedWithin(
            settings.batchMaxEvents(), submission -> (long) submission.events().size(), settings.batchWindow())
        .mapAsyncUnordered(settings.batchParallelism(), group -> send(destinationId, group))
        .to(Sink.ignore())
        .run(system);
  }

  /**
   * Sends one group; its requests all succeed or all fail. Never fails itself, so the stream lives
   * on. The ask is tried up to three times within the request timeout: a destination moving to
   * another node may drop a command during the hand-off, and sending the same events again is
   * harmless (their messageIds are de-duplicated).
   */
  private CompletionStage<Done> send(String destinationId, List<Submission> group) {
    List<Incoming> events = new ArrayList<>();
    group.forEach(s -> events.addAll(s.events()));
    Duration perAttempt = settings.timeout().dividedBy(ATTEMPTS);
    return Patterns.retry(
            () ->
                sharding
                    .entityRefFor(DestinationEntity.TYPE_KEY, destinationId)
                    .<DestinationEntity.Accepted>askWithStatus(
                        replyTo -> new DestinationEntity.Accept(events, replyTo), perAttempt),
            ATTEMPTS,
            Duration.ofMillis(50),
            system.classicSystem().scheduler(),
            system.executionContext())
        .handle(
            (accepted, failure) -> {
              for (Submission submission : group) {
                if (failure == null) {
                  submission.durable().complete(Done.getInstance());
                } else {
                  submission.durable().completeExceptionally(
                      Problem.unavailable(
                          "destination " + destinationId + " could not store the events in time; retry", failure));
                }
              }
              return Done.getInstance();
            });
  }
}
