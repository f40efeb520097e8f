package dev.relay.ingest;

import dev.relay.core.Problem;
import dev.relay.destination.DestinationCommand.Incoming;
import dev.relay.destination.DestinationCommand;
import dev.relay.destination.DestinationEntity;
import dev.relay.destination.DestinationReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Groups the events of concurrent requests per destination into one {@code Accept} command, so that
 * one journal write carries many events instead of one write per event. One small stream per
 * destination on each node, batching as a database's group commit does: a request finding fewer
 * than {@code batch.parallelism} groups on their way goes at once, alone; requests arriving while
 * they are all on their way join one group, which goes when the first of them is answered. No
 * request waits on a timer for company, and a group grows with the load. A stream idle for {@code
 * batch.idle-timeout} is completed and forgotten, so the streams on a node are those of the
 * destinations it recently sent to, not of every destination it ever saw.
 */
final class DestinationBatcher {

  record Submission(List<Incoming> events, CompletableFuture<Done> durable) {}

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final IngestSettings settings;
  /** A destination's stream and when a request last used it. */
  private record Lane(BoundedSourceQueue<Submission> queue, AtomicLong lastUsedNanos) {}

  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

  DestinationBatcher(ActorSystem<?> system, IngestSettings settings) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.settings = settings;
    Duration sweep = settings.batchIdleTimeout().dividedBy(2);
    system.scheduler().scheduleWithFixedDelay(sweep, sweep, this::stopIdleLanes, system.executionContext());
  }

  /** Completes once the destination has journaled what these events trigger. */
  CompletionStage<Done> submit(String destinationId, List<Incoming> events) {
    Submission submission = new Submission(events, new CompletableFuture<>());
    QueueOfferResult offered = offer(destinationId, submission);
    if (offered == QueueOfferResult.closed()) {
      // Its lane was stopped as idle just now (or its stream failed): the next offer starts a new one.
      offered = offer(destinationId, submission);
    }
    if (offered == QueueOfferResult.enqueued()) {
      return submission.durable();
    }
    return CompletableFuture.failedFuture(Problem.unavailable("too many requests waiting for destination " + destinationId + "; retry"));
  }

  private QueueOfferResult offer(String destinationId, Submission submission) {
    Lane lane = lanes.computeIfAbsent(destinationId, this::start);
    lane.lastUsedNanos().set(System.nanoTime());
    QueueOfferResult offered = lane.queue().offer(submission);
    if (offered instanceof QueueOfferResult.Failure || offered == QueueOfferResult.closed()) {
      lanes.remove(destinationId, lane);
      return QueueOfferResult.closed();
    }
    return offered;
  }

  /**
   * Completes and forgets the lanes no request used for {@code batch.idle-timeout}. A lane is removed
   * from the map before it is completed: a request that still got it either is enqueued before the
   * completion (and sent, since completing drains the queue) or finds it closed and starts a new one.
   */
  private void stopIdleLanes() {
    long now = System.nanoTime();
    long idle = settings.batchIdleTimeout().toNanos();
    lanes.forEach(
        (destinationId, lane) -> {
          if (now - lane.lastUsedNanos().get() >= idle && lanes.remove(destinationId, lane)) {
            lane.queue().complete();
          }
        });
  }

  /** How many destinations have a lane on this node now. */
  int lanes() {
    return lanes.size();
  }

  private Lane start(String destinationId) {
    return new Lane(stream(destinationId), new AtomicLong(System.nanoTime()));
  }

  private BoundedSourceQueue<Submission> stream(String destinationId) {
    return Source.<Submission>queue(settings.batchQueueSize())
        .via(grouping(settings.batchMaxEvents()))
        .mapAsyncUnordered(settings.batchParallelism(), group -> send(destinationId, group))
        .to(Sink.ignore())
        .run(system);
  }

  /**
   * Submissions go on alone while downstream asks for more, and are gathered into one group of up to
   * {@code maxEvents} events while it does not; a submission larger than that is a group of its own.
   */
  static Flow<Submission, List<Submission>, NotUsed> grouping(int maxEvents) {
    return Flow.<Submission>create()
        .batchWeighted(
            maxEvents,
            submission -> (long) submission.events().size(),
            first -> new ArrayList<>(List.of(first)),
            (group, next) -> {
              group.add(next);
              return group;
            });
  }

  /**
   * Sends one group; its requests all succeed or all fail. Never fails itself, so the stream lives
   * on. A failed ask is repeated up to {@code batch.retries} times, each try waiting the request
   * timeout divided by that: a destination moving to another node may drop a command during the
   * hand-off, and sending the same events again is harmless (their messageIds are de-duplicated).
   */
  private CompletionStage<Done> send(String destinationId, List<Submission> group) {
    List<Incoming> events = new ArrayList<>();
    group.forEach(s -> events.addAll(s.events()));
    Duration perAttempt = settings.timeout().dividedBy(settings.batchRetries());
    return Patterns.retry(
            () ->
                sharding
                    .entityRefFor(DestinationEntity.TYPE_KEY, destinationId)
                    .<DestinationReply.Accepted>askWithStatus(
                        replyTo -> new DestinationCommand.Accept(events, replyTo), perAttempt),
            settings.batchRetries(),
            settings.batchRetryDelay(),
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
