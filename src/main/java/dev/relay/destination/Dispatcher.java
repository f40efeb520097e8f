package dev.relay.destination;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.catalog.BatchReading;
import dev.relay.catalog.DestinationType;
import dev.relay.catalog.Outcome;
import dev.relay.delivery.DeliveryPipeline;
import dev.relay.delivery.DeliveryResponse;
import dev.relay.delivery.DeliverySettings;
import dev.relay.delivery.Exchange;
import dev.relay.delivery.RetryAfter;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.destination.DestinationState.PendingAction;
import dev.relay.destination.InternalCommand.AttemptFinished;
import dev.relay.destination.InternalCommand.DeliverDue;
import dev.relay.destination.InternalCommand.ItemAttempt;
import dev.relay.destination.InternalCommand.RecordFinishedAttempts;
import dev.relay.destination.InternalCommand.TestCall;
import dev.relay.destination.InternalCommand.TestsFinished;
import dev.relay.logging.LogFields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A destination's requests in flight: which pending actions are due, in batches up to
 * {@code max-in-flight} requests at once; the retry timer for the next due one; the answers as they
 * come back, and what each means for its actions by the retry policy. The entity decides what to
 * journal; this runs what it decided, in the entity's own thread.
 *
 * <p>What is in flight is known only here, in memory: after a crash, restart or rebalance it is
 * attempted again (at-least-once).
 */
final class Dispatcher {

  private static final String RETRY_TIMER = "retry";

  private final ActorContext<DestinationCommand> context;
  private final TimerScheduler<DestinationCommand> timers;
  private final DeliverySettings settings;
  private final Clock clock;
  private final DeliveryPipeline pipeline;
  private final Function<DestinationState, CompiledActions> actions;
  private final Function<DestinationState, DestinationType> types;
  /** Asks the entity to refill the window of pending actions from the table. */
  private final Runnable refill;

  /** How fast this destination may be sent to now: its rate limit and the 429s it answered. */
  private final SendRate rate = new SendRate();
  /** Whether the destination is down, and when it may be probed. */
  private final Probing probing;
  private final String destinationId;

  /** Items of requests in flight, or answered and not yet journaled. */
  private final Set<String> inFlight = new HashSet<>();
  /** Requests sent and not yet answered: at most max-in-flight. */
  private int requestsInFlight;
  /**
   * Requests answered whose attempt is not yet journaled: at most max-in-flight more. A request's
   * slot is free once its answer is in, so the next requests go out while the entity writes the
   * last ones' attempts, rather than after (a write of a destination's attempts takes longer than a
   * fast destination's answer). Their items stay in {@link #inFlight} until journaled.
   */
  private int requestsUnrecorded;
  /** Requests of the API call tester in flight, bounded by max-tests-in-flight. */
  private int testRequestsInFlight;
  private final List<AttemptFinished> finished = new ArrayList<>();
  /**
   * Per action, the batch size a request of it was last split to (413 or over the type's byte
   * limit): later requests are no larger, so a destination (or a proxy before it) that refuses a
   * size is not sent it again. Kept while the entity lives; one number per action.
   */
  private final Map<String, Integer> splitBatchSizes = new HashMap<>();
  /**
   * Per pending item of a split batch, the most items it may be sent with: half its last batch, so
   * a batch refused whole is narrowed down until what the vendor refuses is alone. Forgotten when the
   * item is delivered or fails; at most one number per pending item.
   */
  private final Map<String, Integer> itemBatchSizes = new HashMap<>();
  /**
   * Which life of the entity the fields above belong to. A failed journal write restarts the entity
   * in place (onPersistFailure): this object survives, so recovery empties it, and answers to
   * requests started before are ignored.
   */
  private int generation;

  Dispatcher(
      String destinationId,
      ActorContext<DestinationCommand> context,
      TimerScheduler<DestinationCommand> timers,
      DeliverySettings settings,
      DeliveryPipeline pipeline,
      Clock clock,
      Function<DestinationState, CompiledActions> actions,
      Function<DestinationState, DestinationType> types,
      Runnable refill) {
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.pipeline = pipeline;
    this.clock = clock;
    this.actions = actions;
    this.types = types;
    this.refill = refill;
    this.destinationId = destinationId;
    this.probing = new Probing(settings.probing());
  }

  /** Which life of the entity this is (see {@link #generation}'s field). */
  int generation() {
    return generation;
  }

  boolean inFlight(String itemId) {
    return inFlight.contains(itemId);
  }

  /** How many actions are in flight now. */
  int inFlightCount() {
    return inFlight.size();
  }

  /** The entity (re)started from its journal: nothing of this object's is in flight any more. */
  void restarted() {
    generation++;
    inFlight.clear();
    requestsInFlight = 0;
    requestsUnrecorded = 0;
    testRequestsInFlight = 0;
    finished.clear();
    probing.restarted();
  }

  /**
   * Starts attempts for what is due, as far as max-in-flight allows, and sets the timer for the next
   * action that will be due. Called after every change that can make something deliverable.
   */
  void deliverDue(DestinationState state) {
    if (!state.exists() || !state.config().enabled()) {
      timers.cancel(RETRY_TIMER);
      return;
    }
    DestinationType type = types.apply(state);
    if (!itemBatchSizes.isEmpty()) {
      itemBatchSizes.keySet().removeIf(id -> state.pending(id).isEmpty()); // discarded meanwhile
    }
    int batchSize = Math.max(1, type.batchSize(state.config().settings()));
    Instant now = clock.instant();
    int capacity =
        Math.min(
            probing.capacity(requestsInFlight, settings.maxInFlight(), now),
            Math.max(0, 2 * settings.maxInFlight() - requestsInFlight - requestsUnrecorded));
    int maxRequests = requestsInFlight + capacity;
    if (capacity == 0 && probing.active()) {
      // Down: the next probe when its pause is over, or when the one in flight comes back.
      if (requestsInFlight == 0) {
        timers.startSingleTimer(RETRY_TIMER, new DeliverDue(), Duration.between(now, probing.nextProbeAt().orElseThrow()));
      }
      return;
    }

    state.backlog().trim(inFlight::contains, inFlight.size());
    Map<String, List<PendingAction>> dueByAction = new LinkedHashMap<>();
    int wanted = capacity * batchSize;
    int collected = 0;
    Instant nextDue = null;
    for (Backlog.Due due : state.dueOrder()) {
      if (inFlight.contains(due.itemId())) {
        continue;
      }
      if (due.at().isAfter(now)) {
        nextDue = due.at();
        break;
      }
      if (collected >= wanted) {
        break;
      }
      PendingAction action = state.pending(due.itemId()).orElseThrow();
      if (!state.config().action(action.actionId()).map(ActionConfig::enabled).orElse(false)) {
        continue; // its action is removed or disabled: about to be discarded
      }
      dueByAction.computeIfAbsent(action.actionId(), id -> new ArrayList<>()).add(action);
      collected++;
    }
    if (state.backlog().needsRefill(inFlight.size())) {
      refill.run();
    }

    rate.configure(type.rateLimit(state.config().settings()));
    Duration heldBack = null;
    groups:
    for (Map.Entry<String, List<PendingAction>> group : dueByAction.entrySet()) {
      int size = Math.min(batchSize, splitBatchSizes.getOrDefault(group.getKey(), batchSize));
      List<PendingAction> batch = new ArrayList<>();
      int limit = size;
      for (PendingAction item : group.getValue()) {
        if (requestsInFlight >= maxRequests) {
          break;
        }
        int cap = Math.min(size, itemBatchSizes.getOrDefault(item.itemId(), size));
        if (!batch.isEmpty() && batch.size() >= Math.min(limit, cap)) {
          if (!rate.tryAcquire(now, batch.size())) {
            heldBack = rate.untilAvailable(now, batch.size());
            break groups;
          }
          attempt(state, type, group.getKey(), batch);
          batch = new ArrayList<>();
          limit = size;
        }
        batch.add(item);
        limit = Math.min(limit, cap);
      }
      if (!batch.isEmpty() && requestsInFlight < maxRequests) {
        if (!rate.tryAcquire(now, batch.size())) {
          heldBack = rate.untilAvailable(now, batch.size());
          break;
        }
        attempt(state, type, group.getKey(), batch);
      }
    }

    if (heldBack != null) {
      // Due work waits in the queue for the rate limit, not counted as an attempt.
      timers.startSingleTimer(RETRY_TIMER, new DeliverDue(), heldBack);
      return;
    }
    if (nextDue != null && requestsInFlight < maxRequests) {
      Instant wake = probing.nextProbeAt().filter(nextDue::isBefore).orElse(nextDue);
      timers.startSingleTimer(RETRY_TIMER, new DeliverDue(), Duration.between(now, wake));
    } else if (nextDue == null) {
      timers.cancel(RETRY_TIMER);
    }
    // When every slot is taken, the next finished attempt calls deliverDue again.
  }

  /** Maps the actions with the current configuration and sends them as one request. */
  private void attempt(DestinationState state, DestinationType type, String actionId, List<PendingAction> items) {
    List<ItemAttempt> attempts = items.stream().map(p -> new ItemAttempt(p.itemId(), p.attempts() + 1)).toList();
    attempts.forEach(a -> inFlight.add(a.itemId()));
    requestsInFlight++;
    probing.started();
    List<ObjectNode> events = items.stream().map(PendingAction::event).toList();
    int life = generation;
    context.pipeToSelf(
        exchange(state, type, actionId, events),
        (exchange, never) -> new AttemptFinished(actionId, attempts, exchange, life));
  }

  /** Sends {@code events} through the action with the current settings and mapping. */
  private CompletionStage<Exchange> exchange(
      DestinationState state, DestinationType type, String actionId, List<ObjectNode> events) {
    CompiledActions compiled = actions.apply(state);
    Optional<CompiledActions.Compiled> action = compiled.get(actionId);
    if (action.isEmpty()) {
      return CompletableFuture.completedFuture(
          DeliveryPipeline.notBuilt(clock.instant(), "action " + actionId + " is unusable: " + compiled.unusable().get(actionId)));
    }
    return pipeline.exchange(type, state.config().settings(), action.get().config().type(), action.get().mapping(), events);
  }

  /**
   * An answer came back: its slot is free, and probing and the send rate take it into account.
   * Keeps the attempt until it is journaled; the first one since the last write asks for the next
   * write, so attempts finishing while a write is under way are journaled together.
   */
  void finished(AttemptFinished attempt) {
    if (attempt.generation() != generation) {
      return; // started before the entity restarted: its items are attempted again
    }
    requestsInFlight--;
    requestsUnrecorded++;
    Instant now = clock.instant();
    Exchange exchange = attempt.exchange();
    probed(exchange, now);
    exchange.response().map(DeliveryResponse::status).ifPresent(status -> {
      if (status == 429) {
        rate.tooManyRequests(now);
      } else if (status / 100 == 2) {
        rate.accepted(now);
      }
    });
    finished.add(attempt);
    if (finished.size() == 1) {
      context.getSelf().tell(new RecordFinishedAttempts());
    }
  }

  /** The attempts finished since the last call. */
  List<AttemptFinished> takeFinished() {
    List<AttemptFinished> batch = List.copyOf(finished);
    finished.clear();
    return batch;
  }

  /** {@code batch} is journaled: its items may be attempted again, if they are to be. */
  void recorded(List<AttemptFinished> batch) {
    for (AttemptFinished attempt : batch) {
      attempt.items().forEach(i -> inFlight.remove(i.itemId()));
      requestsUnrecorded--;
    }
  }

  /**
   * The outcome of an attempt for each action it carried, by the type's reading of the answer
   * (per item where the vendor reports per event), retries scheduled by the policy. A batch that
   * was too large is retried at once in halves, as far as the retry budget goes.
   */
  AttemptRecorded recordOf(DestinationState state, AttemptFinished attempt, Instant now) {
    Exchange exchange = attempt.exchange();
    int count = attempt.items().size();
    BatchReading reading = exchange.reading(types.apply(state), count);
    boolean split = reading.splits(count);
    if (split && reading.shrink()) {
      splitBatchSizes.merge(attempt.actionId(), (count + 1) / 2, Math::min);
    }
    Optional<Duration> retryAfter =
        exchange.response().flatMap(DeliveryResponse::retryAfter).flatMap(h -> RetryAfter.parse(h, now));
    List<ItemOutcome> outcomes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ItemAttempt item = attempt.items().get(i);
      Outcome outcome = reading.of(i, count);
      Optional<Instant> next = Optional.empty();
      if (outcome == Outcome.RETRY) {
        next =
            state.pending(item.itemId())
                .flatMap(p -> settings.retryPolicy()
                    .nextAttempt(item.attempt(), p.queuedAt(), now, retryAfter, ThreadLocalRandom.current().nextDouble()))
                .map(at -> split ? now : at);
        outcome = next.isPresent() ? Outcome.RETRY : Outcome.FAILED;
      }
      if (split && outcome == Outcome.RETRY) {
        itemBatchSizes.put(item.itemId(), (count + 1) / 2);
      } else if (outcome != Outcome.RETRY) {
        itemBatchSizes.remove(item.itemId());
      }
      outcomes.add(new ItemOutcome(item.itemId(), item.attempt(), outcome, next));
    }
    AttemptRecorded record = AttemptRecorded.of(attempt.actionId(), exchange, outcomes);
    return bodyAsBefore(state, attempt) ? record.withBodyAsBefore() : record;
  }

  /**
   * Whether the body of {@code attempt} is the one journaled with the previous attempt of every
   * action it carried: a retry of the same request, whose body the journal need not hold again.
   */
  private static boolean bodyAsBefore(DestinationState state, AttemptFinished attempt) {
    String body = attempt.exchange().request().body();
    if (body.isEmpty()) {
      return false;
    }
    // Before its first retry an action has no hash to compare with: nothing to hash the body for.
    if (attempt.items().stream().anyMatch(item -> state.pending(item.itemId()).map(PendingAction::bodyHash).isEmpty())) {
      return false;
    }
    String hash = PendingAction.bodyHashOf(body);
    return attempt.items().stream()
        .allMatch(item -> state.pending(item.itemId()).map(PendingAction::bodyHash).filter(hash::equals).isPresent());
  }

  /** Takes the answer into account for probing, and says when the destination is found down or back. */
  private void probed(Exchange exchange, Instant now) {
    boolean sent = !exchange.request().url().isEmpty(); // a request that could not be built says nothing
    boolean unavailable =
        sent && !exchange.addressRefused() && !exchange.tooLarge()
            && exchange.response().map(r -> r.status() >= 500).orElse(true);
    if (!sent) {
      return;
    }
    Probing.Change change = probing.answered(unavailable, now);
    if (change == Probing.Change.STARTED) {
      LogFields.with(LogFields.DESTINATION_ID, destinationId, () -> context.getLog().warn(
          "Destination {} is down: {} requests in a row failed (the last: {}); one request at a time until one succeeds",
          destinationId, probing.failuresInARow(),
          exchange.response().map(r -> "status " + r.status()).orElse(exchange.error().orElse("no answer"))));
    } else if (change == Probing.Change.ENDED) {
      LogFields.with(LogFields.DESTINATION_ID, destinationId, () -> context.getLog().info(
          "Destination {} answered again: full rate resumed", destinationId));
    }
  }

  /**
   * While the destination is down, the due actions held back past their retry window (max-window from
   * when they were queued): they are discarded, as a retry would fail them.
   */
  List<String> expiredWhileDown(DestinationState state, Instant now) {
    if (!probing.active()) {
      return List.of();
    }
    Instant queuedBefore = now.minus(settings.retryPolicy().maxWindow());
    List<String> expired = new ArrayList<>();
    for (Backlog.Due due : state.dueOrder()) {
      if (due.at().isAfter(now) || expired.size() >= 1000) {
        break;
      }
      PendingAction action = state.pending(due.itemId()).orElseThrow();
      if (!inFlight.contains(action.itemId()) && !action.queuedAt().isAfter(queuedBefore)) {
        expired.add(action.itemId());
      }
    }
    return expired;
  }

  /**
   * Takes slots for {@code calls} test requests, unless too many are in flight: a test is refused
   * whole rather than queued; one test may always run, whatever its number of actions.
   */
  boolean reserveTests(int calls) {
    if (testRequestsInFlight > 0 && testRequestsInFlight + calls > settings.maxTestsInFlight()) {
      return false;
    }
    testRequestsInFlight += calls;
    return true;
  }

  /** Sends each queued test action once; the entity is told when all have come back. */
  void sendTests(DestinationState state, List<ActionQueued> queued, ActorRef<TestReport> replyTo) {
    DestinationType type = types.apply(state);
    List<CompletableFuture<TestCall>> calls =
        queued.stream()
            .map(q -> exchange(state, type, q.actionId(), List.of(q.event()))
                .thenApply(e -> new TestCall(q.itemId(), q.actionId(), q.actionName(), e))
                .toCompletableFuture())
            .toList();
    int life = generation;
    context.pipeToSelf(
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
            .thenApply(done -> calls.stream().map(CompletableFuture::join).toList()),
        (results, never) -> new TestsFinished(results, replyTo, life));
  }

  /** What test calls came to: the records to journal and the report to answer with. */
  record TestsDone(List<DestinationEvent> records, TestReport report) {}

  /**
   * The test calls came back: their slots are free (unless they were from before a restart). Test
   * calls end delivered or failed, never retried.
   */
  TestsDone testsFinished(DestinationState state, TestsFinished tests) {
    if (tests.generation() == generation) {
      testRequestsInFlight -= tests.calls().size();
    }
    DestinationType type = types.apply(state);
    List<DestinationEvent> records = new ArrayList<>();
    List<TestReport.Result> results = new ArrayList<>();
    for (TestCall call : tests.calls()) {
      Exchange exchange = call.exchange();
      Outcome outcome = exchange.verdict(type) == Outcome.DELIVERED ? Outcome.DELIVERED : Outcome.FAILED;
      records.add(AttemptRecorded.of(call.actionId(), exchange, List.of(new ItemOutcome(call.itemId(), 1, outcome, Optional.empty()))));
      results.add(
          new TestReport.Result(
              call.actionId(), call.actionName(), call.itemId(), exchange.request(),
              exchange.response().map(DeliveryResponse::status),
              exchange.response().map(DeliveryResponse::bodyExcerpt),
              outcome, exchange.durationMs(), exchange.error()));
    }
    return new TestsDone(records, new TestReport(results));
  }
}
