package dev.relay.retention;

import dev.relay.core.AsyncFailure;
import dev.relay.readside.ReadSideRetention;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit horizon: every {@code relay.retention.interval}, one node of the cluster (a cluster
 * singleton) deletes what is older than {@code relay.retention.period} from the event journal, the
 * snapshot store and the read side, and only what nothing still needs (see {@link JournalRetention}
 * and {@link ReadSideRetention}). Each sweep logs what it deleted per table and counts it in
 * {@code relay_retention_deleted_rows_total{table}}.
 */
public final class Retention {

  private static final Logger log = LoggerFactory.getLogger(Retention.class);

  /** What one sweep deleted, rows per table (in the order they are reported). */
  public record Report(Instant cutoff, Map<String, Long> deleted, Duration took) {}

  private final RetentionSettings settings;
  private final JournalRetention journal;
  private final ReadSideRetention readSide;
  private final MeterRegistry registry;

  public Retention(DataSource dataSource, RetentionSettings settings, MeterRegistry registry) {
    this.settings = settings;
    this.journal = new JournalRetention(dataSource, settings.batchSize());
    this.readSide = new ReadSideRetention(dataSource, settings.batchSize());
    this.registry = registry;
  }

  /** Starts the sweeper: one in the cluster, on the oldest node, moving when it leaves. */
  public static void start(ActorSystem<?> system, Retention retention, Clock clock) {
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    ClusterSingleton.get(system)
        .init(SingletonActor.of(sweeper(retention, blocking, clock), "retention"));
  }

  /** Deletes what is older than {@code now} minus the period, now; blocks while it runs. */
  public Report sweep(Instant now) throws SQLException {
    return sweep(now, () -> false);
  }

  Report sweep(Instant now, BooleanSupplier stop) throws SQLException {
    long started = System.nanoTime();
    Instant cutoff = now.minus(settings.period());
    JournalRetention.Deleted fromJournal = journal.deleteOlderThan(cutoff, stop);
    ReadSideRetention.Deleted fromReadSide = readSide.deleteOlderThan(cutoff, stop);
    Map<String, Long> deleted = new LinkedHashMap<>();
    deleted.put("event_journal", fromJournal.events());
    deleted.put("event_tag", fromJournal.tags());
    deleted.put("snapshot", fromJournal.snapshots());
    deleted.put("journal_item", fromReadSide.items());
    deleted.put("journal_attempt_item", fromReadSide.attemptItems());
    deleted.put("journal_attempt", fromReadSide.attempts());
    deleted.put("journal_minute", fromReadSide.minutes());
    deleted.put("journal_latency", fromReadSide.latency());
    deleted.forEach(
        (table, rows) ->
            Counter.builder("relay.retention.deleted.rows")
                .description("rows the retention sweep deleted, per table")
                .tag("table", table)
                .register(registry)
                .increment(rows));
    return new Report(cutoff, deleted, Duration.ofNanos(System.nanoTime() - started));
  }

  private sealed interface Command {}

  private enum Sweep implements Command {
    INSTANCE
  }

  private record Swept(Report report, Throwable failure) implements Command {}

  private static Behavior<Command> sweeper(Retention retention, Executor blocking, Clock clock) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  // A sweep under way ends after its current batch once this singleton stops (it moves).
                  AtomicBoolean stopped = new AtomicBoolean();
                  Duration interval = retention.settings.interval();
                  timers.startSingleTimer(Sweep.INSTANCE, retention.settings.initialDelay());
                  return Behaviors.receive(Command.class)
                      .onMessageEquals(
                          Sweep.INSTANCE,
                          () -> {
                            context.pipeToSelf(
                                CompletableFuture.supplyAsync(() -> retention.sweepOrFail(clock.instant(), stopped::get), blocking),
                                Swept::new);
                            return Behaviors.same();
                          })
                      .onMessage(
                          Swept.class,
                          swept -> {
                            if (swept.failure() == null) {
                              Report report = swept.report();
                              log.info(
                                  "Retention sweep: deleted what was older than {} in {} ms, rows per table {}",
                                  report.cutoff(), report.took().toMillis(), report.deleted());
                            } else {
                              log.warn(
                                  "Retention sweep failed, trying again in {}: {}",
                                  interval, AsyncFailure.unwrap(swept.failure()).getMessage());
                            }
                            timers.startSingleTimer(Sweep.INSTANCE, interval);
                            return Behaviors.same();
                          })
                      .onSignal(
                          PostStop.class,
                          signal -> {
                            stopped.set(true);
                            return Behaviors.same();
                          })
                      .build();
                }));
  }

  private Report sweepOrFail(Instant now, BooleanSupplier stop) {
    try {
      return sweep(now, stop);
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
