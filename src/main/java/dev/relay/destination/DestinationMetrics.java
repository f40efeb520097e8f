package dev.relay.destination;

import dev.relay.catalog.Outcome;
import dev.relay.destination.DestinationEvent.ActionDiscarded;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.destination.DestinationEvent.ActionReplayed;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-destination meters of the destinations this node hosts now. Counts come from the events a
 * destination journals and nowhere else (a {@link Tally} of them, made by the entity's event handler
 * and counted once the write succeeded), so they cannot drift from the journal; the gauges are the
 * entity's state as of its last journaled change. Labels: the destination's id and type only.
 *
 * <p>A destination's meters exist while its entity runs on this node: they are removed when it stops
 * (moved to another node, the node leaving, deleted), so the number of series follows the
 * destinations hosted, and is bounded by {@code relay.metrics.max-destinations}.
 */
public final class DestinationMetrics {

  private static final Logger log = LoggerFactory.getLogger(DestinationMetrics.class);

  private final MeterRegistry registry;
  private final int maxDestinations;
  private final Clock clock;
  private final Map<String, Meters> open = new ConcurrentHashMap<>();
  private final AtomicBoolean warnedFull = new AtomicBoolean();

  public DestinationMetrics(MeterRegistry registry, int maxDestinations, Clock clock) {
    this.registry = registry;
    this.maxDestinations = maxDestinations;
    this.clock = clock;
  }

  /** What one destination's entity keeps of its metrics. */
  Recorder recorder(String destinationId) {
    return new Recorder(destinationId);
  }

  /**
   * One entity's side of the metrics: what the events applied since its last successful write mean
   * (counted only once they are written, never what recovery replays), and its meters while it is
   * hosted here. Used from the entity's thread only.
   */
  final class Recorder {
    private final String destinationId;
    private final Tally tally = new Tally();
    private Meters meters = Meters.NONE;

    private Recorder(String destinationId) {
      this.destinationId = destinationId;
    }

    /** Recovered: what it replayed was counted when it was first journaled. */
    void recovered(DestinationState state) {
      tally.clear();
      if (state.exists()) {
        meters = open(destinationId, state.config().type());
        meters.update(state);
      }
    }

    /** {@code event} is about to be applied to {@code before}. */
    void applying(DestinationState before, DestinationEvent event) {
      tally.add(before, event);
    }

    /** The events applied since the last call are written. */
    void journaled(DestinationState state) {
      if (meters == Meters.NONE && state.exists()) {
        meters = open(destinationId, state.config().type()); // created just now
      }
      meters.count(tally);
      meters.update(state);
      if (state.deleted()) {
        meters.close(); // a deleted destination's series go at once
        meters = Meters.NONE;
      }
    }

    /** Moved, passivated or the node stopping: its series go from this node. */
    void stopped() {
      meters.close();
    }
  }

  /** The meters of a destination now hosted here; none once this node has series of max-destinations. */
  Meters open(String destinationId, String type) {
    Meters existing = open.get(destinationId);
    if (existing != null) {
      return existing;
    }
    if (open.size() >= maxDestinations) {
      if (warnedFull.compareAndSet(false, true)) {
        log.warn(
            "This node has metrics of {} destinations (relay.metrics.max-destinations): destinations started"
                + " from now on are not measured until others stop", maxDestinations);
      }
      return Meters.NONE;
    }
    return open.computeIfAbsent(destinationId, id -> new Meters(this, id, type));
  }

  private void closed(Meters meters) {
    if (open.remove(meters.destinationId, meters)) {
      warnedFull.set(false);
    }
  }

  /** The {@code status_class} label of an attempt: {@code 2xx} … {@code 5xx}, or {@code none} without an answer. */
  static String statusClass(AttemptRecorded attempt) {
    return attempt.responseStatus()
        .filter(status -> status >= 200 && status < 600)
        .map(status -> status / 100 + "xx")
        .orElse("none");
  }

  /**
   * What events mean for the counters, taken in the event handler (which alone sees the state each
   * event applies to) and counted only after the write succeeded: the events of a recovery, or of a
   * write that failed, are dropped with {@link #clear()}.
   */
  static final class Tally {
    private long queued;
    private long delivered;
    private long failed;
    private long discarded;
    private final List<Attempt> attempts = new ArrayList<>();

    record Attempt(String outcome, String statusClass, long durationMs) {}

    /** Takes {@code event} into account, before it is applied to {@code before}. */
    void add(DestinationState before, DestinationEvent event) {
      if (event instanceof ActionQueued queued && !queued.test()) {
        this.queued++;
      } else if (event instanceof ActionReplayed) {
        this.queued++; // queued again, as a replay of a failed or discarded one
      } else if (event instanceof ActionDiscarded discarded) {
        // Only pending actions are discarded (read from the pending table while nothing else was
        // journaled, or queued in the same write), most of them outside the window in memory.
        this.discarded += discarded.itemIds().size();
      } else if (event instanceof AttemptRecorded attempt) {
        addAttempt(before, attempt);
      }
    }

    /**
     * An attempt counts for the actions it carried that were pending: not the API call tester's (never
     * queued as pending), nor any discarded while the request was in flight.
     */
    private void addAttempt(DestinationState before, AttemptRecorded attempt) {
      boolean anyDelivered = false;
      boolean anyRetry = false;
      boolean any = false;
      for (ItemOutcome item : attempt.items()) {
        if (before.pending(item.itemId()).isEmpty()) {
          continue;
        }
        any = true;
        if (item.outcome() == Outcome.DELIVERED) {
          delivered++;
          anyDelivered = true;
        } else if (item.outcome() == Outcome.FAILED) {
          failed++;
        } else {
          anyRetry = true;
        }
      }
      if (any) {
        String outcome = anyDelivered ? "delivered" : anyRetry ? "retry" : "failed";
        attempts.add(new Attempt(outcome, statusClass(attempt), attempt.durationMs()));
      }
    }

    void clear() {
      queued = 0;
      delivered = 0;
      failed = 0;
      discarded = 0;
      attempts.clear();
    }
  }

  /** One destination's meters on this node. Written from its entity only; the gauges are read by scrapes. */
  static class Meters {

    /** A destination not measured (max-destinations reached): everything is ignored. */
    static final Meters NONE = new Meters();

    private final DestinationMetrics owner;
    private final String destinationId;
    private final Tags tags;
    private final List<Meter> registered = new ArrayList<>();
    private final Counter queued;
    private final Counter delivered;
    private final Counter failed;
    private final Counter discarded;
    private final Timer attemptDuration;
    /** By outcome and status class: at most 3 × 5. */
    private final Map<String, Counter> attempts = new HashMap<>();
    private volatile long pending;
    private volatile long retrying;
    /** When the oldest pending action was queued; null when none is pending. */
    private volatile Instant oldestQueuedAt;

    private Meters() {
      this.owner = null;
      this.destinationId = null;
      this.tags = Tags.empty();
      this.queued = null;
      this.delivered = null;
      this.failed = null;
      this.discarded = null;
      this.attemptDuration = null;
    }

    private Meters(DestinationMetrics owner, String destinationId, String type) {
      this.owner = owner;
      this.destinationId = destinationId;
      this.tags = Tags.of("destination", destinationId, "type", type);
      MeterRegistry registry = owner.registry;
      queued = keep(counter("relay.destination.actions.queued", "actions queued for delivery (test calls aside)"));
      delivered = keep(counter("relay.destination.actions.delivered", "actions delivered"));
      failed = keep(counter("relay.destination.actions.failed", "actions given up: refused, or out of retries"));
      discarded = keep(counter("relay.destination.actions.discarded", "pending actions discarded (action or destination removed)"));
      attemptDuration =
          keep(Timer.builder(Metrics.ATTEMPT_DURATION)
              .description("time of a request to the destination, answer read")
              .tags(tags)
              .register(registry));
      keep(Gauge.builder("relay.destination.actions.pending", this, m -> m.pending)
          .description("actions waiting for delivery (first attempts and retries)")
          .tags(tags).strongReference(true).register(registry));
      keep(Gauge.builder("relay.destination.actions.retrying", this, m -> m.retrying)
          .description("pending actions attempted before, waiting for their next retry")
          .tags(tags).strongReference(true).register(registry));
      keep(Gauge.builder("relay.destination.oldest.pending.age", this, Meters::oldestPendingSeconds)
          .description("how long the oldest pending action has waited since it was queued; 0 when none")
          .baseUnit("seconds")
          .tags(tags).strongReference(true).register(registry));
    }

    private Counter counter(String name, String description) {
      return Counter.builder(name).description(description).tags(tags).register(owner.registry);
    }

    private <M extends Meter> M keep(M meter) {
      registered.add(meter);
      return meter;
    }

    private double oldestPendingSeconds() {
      Instant oldest = oldestQueuedAt;
      if (oldest == null) {
        return 0;
      }
      return Math.max(0, Duration.between(oldest, owner.clock.instant()).toMillis() / 1000.0);
    }

    /** Counts what {@code tally} holds (events now journaled) and empties it. */
    void count(Tally tally) {
      if (owner != null) {
        queued.increment(tally.queued);
        delivered.increment(tally.delivered);
        failed.increment(tally.failed);
        discarded.increment(tally.discarded);
        for (Tally.Attempt attempt : tally.attempts) {
          attempts.computeIfAbsent(attempt.outcome() + " " + attempt.statusClass(), key -> keep(
                  Counter.builder("relay.destination.attempts")
                      .description("requests to the destination, by outcome and class of answer")
                      .tags(tags).tag("outcome", attempt.outcome()).tag("status_class", attempt.statusClass())
                      .register(owner.registry)))
              .increment();
          attemptDuration.record(attempt.durationMs(), TimeUnit.MILLISECONDS);
        }
      }
      tally.clear();
    }

    /** The gauges from the state after its last journaled change. */
    void update(DestinationState state) {
      pending = state.pendingCount();
      retrying = state.retryingCount();
      oldestQueuedAt = state.oldestQueuedAt().orElse(null);
    }

    /** The entity stopped here or the destination was deleted: its series go. */
    void close() {
      if (owner == null) {
        return;
      }
      registered.forEach(owner.registry::remove);
      registered.clear();
      owner.closed(this);
    }
  }
}
