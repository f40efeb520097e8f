package dev.relay.readside;

import dev.relay.destination.DestinationTags;
import dev.relay.metrics.Metrics;
import dev.relay.readside.ReadSideStatus.Storage;
import dev.relay.readside.ReadSideStatus.TagPosition;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.javadsl.ProjectionManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Watches each read-side tag: where the journal is, where the projection's offset is, and whether
 * the offset still moves while events wait. A tag whose offset has not moved for {@code
 * warn-after} while it has events to project is logged at WARN (and again each time that long
 * passes); after {@code restart-after} its projection instance is restarted, which ends a stream
 * stuck on its database session without a manual rebuild. What it sees is served as {@code GET
 * /api/read-side} and the management health route.
 */
final class ReadSideMonitor {

  private static final Logger log = LoggerFactory.getLogger(ReadSideMonitor.class);

  /** A tag as the monitor last saw it. */
  record TagHealth(TagPosition position, Duration stalledFor, String state) {}

  /** The whole read side as last seen; {@code at} is when. */
  record Health(Instant at, List<TagHealth> tags, Optional<Storage> storage) {
    boolean healthy() {
      return tags.stream().noneMatch(t -> t.state().equals("stalled"));
    }
  }

  /** Since when a tag's offset has stood still with events waiting. */
  private record Stall(long offset, Instant since, Instant lastWarned, Instant lastRestarted) {}

  private final ActorSystem<?> system;
  private final DataSource dataSource;
  private final ExecutionContextExecutor executor;
  private final ReadSideSettings settings;
  private final boolean postgres;
  private final Path h2File;
  private final Clock clock;
  private final List<String> tags;
  private final Map<String, Stall> stalls = new ConcurrentHashMap<>();
  private volatile Health last;
  /** The database's size on disk as of the last check. */
  private volatile long databaseBytes;
  private volatile Cancellable schedule;

  ReadSideMonitor(
      ActorSystem<?> system,
      DataSource dataSource,
      ExecutionContextExecutor executor,
      DestinationTags tags,
      ReadSideSettings settings,
      boolean postgres,
      Path h2File,
      Clock clock) {
    this.system = system;
    this.dataSource = dataSource;
    this.executor = executor;
    this.settings = settings;
    this.postgres = postgres;
    this.h2File = h2File;
    this.clock = clock;
    this.tags = ActionLogProjection.ids(tags).stream().map(ProjectionId::key).toList();
    this.last = new Health(clock.instant(), List.of(), Optional.empty());
  }

  void start() {
    registerGauges(Metrics.get(system).registry());
    schedule =
        system.scheduler()
            .scheduleWithFixedDelay(
                settings.healthCheckInterval(), settings.healthCheckInterval(), this::check, executor);
  }

  /**
   * Each tag's lag as of the last check, as {@code GET /health/read-side} shows it, and the database's
   * size on disk.
   */
  private void registerGauges(MeterRegistry registry) {
    Gauge.builder("relay.database.size", this, monitor -> monitor.databaseBytes)
        .description("the database's size on disk (the H2 file, or PostgreSQL's database), as of the last check")
        .baseUnit("bytes")
        .strongReference(true)
        .register(registry);
    for (String tag : tags) {
      Gauge.builder("relay.read.side.lag.events", this, monitor -> position(monitor.last, tag).map(TagPosition::eventsBehind).orElse(0L))
          .description("journal events of the tag not yet projected, as of the last check")
          .tag("tag", tag)
          .strongReference(true)
          .register(registry);
      Gauge.builder("relay.read.side.lag", this, monitor -> monitor.secondsBehind(tag))
          .description("age of the oldest journal event of the tag not yet projected, as of the last check; 0 when none")
          .baseUnit("seconds")
          .tag("tag", tag)
          .strongReference(true)
          .register(registry);
    }
  }

  private static Optional<TagPosition> position(Health health, String tag) {
    return health.tags().stream().map(TagHealth::position).filter(p -> p.tag().equals(tag)).findFirst();
  }

  private double secondsBehind(String tag) {
    Health health = last;
    return position(health, tag)
        .flatMap(TagPosition::oldestUnprojectedAt)
        .map(ms -> Math.max(0, health.at().toEpochMilli() - ms) / 1000.0)
        .orElse(0.0);
  }

  void stop() {
    if (schedule != null) {
      schedule.cancel();
    }
  }

  /** The read side now: positions read afresh, stall durations as the monitor has tracked them. */
  CompletionStage<Health> current() {
    return CompletableFuture.supplyAsync(() -> read(true), executor);
  }

  /** What the last periodic check saw (for the health route, which must answer at once). */
  Health lastSeen() {
    return last;
  }

  private void check() {
    try {
      Health health = read(false);
      last = health;
      for (TagHealth tag : health.tags()) {
        if (tag.state().equals("stalled")) {
          act(tag, health.at());
        }
      }
    } catch (RuntimeException e) {
      log.warn("Could not check the read side: {}", e.getMessage());
    }
  }

  private Health read(boolean withStorage) {
    Instant now = clock.instant();
    int timeout = (int) Math.max(1, settings.statementTimeout().toSeconds());
    try (Connection connection = dataSource.getConnection()) {
      try {
        List<TagPosition> positions = ReadSideStatus.positions(connection, tags, timeout);
        List<TagHealth> healths = new ArrayList<>(positions.size());
        for (TagPosition position : positions) {
          healths.add(track(position, now));
        }
        Optional<Storage> storage =
            withStorage ? Optional.of(ReadSideStatus.storage(connection, postgres, h2File, timeout)) : Optional.empty();
        databaseBytes =
            storage.isPresent() ? storage.get().fileBytes() : ReadSideStatus.fileBytes(connection, postgres, h2File, timeout);
        return new Health(now, healths, storage);
      } finally {
        connection.rollback();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("read-side status query failed: " + e.getMessage(), e);
    }
  }

  /** Updates the tag's stall record and says what state it is in. */
  private TagHealth track(TagPosition position, Instant now) {
    if (position.eventsBehind() == 0) {
      stalls.remove(position.tag());
      return new TagHealth(position, Duration.ZERO, "current");
    }
    Stall stall =
        stalls.compute(
            position.tag(),
            (tag, known) ->
                known == null || known.offset() != position.projectedOffset()
                    ? new Stall(position.projectedOffset(), now, null, null)
                    : known);
    Duration stalledFor = Duration.between(stall.since(), now);
    String state = stalledFor.compareTo(settings.stallWarnAfter()) >= 0 ? "stalled" : "behind";
    return new TagHealth(position, stalledFor, state);
  }

  private void act(TagHealth tag, Instant now) {
    TagPosition position = tag.position();
    Stall stall = stalls.get(position.tag());
    if (stall == null) {
      return;
    }
    if (stall.lastWarned() == null || Duration.between(stall.lastWarned(), now).compareTo(settings.stallWarnAfter()) >= 0) {
      log.warn(
          "Read side tag {} is stalled: offset {} has not moved for {} s while {} journal events wait (newest {})",
          position.tag(), position.projectedOffset(), tag.stalledFor().toSeconds(), position.eventsBehind(),
          position.journalOrdering());
      stall = new Stall(stall.offset(), stall.since(), now, stall.lastRestarted());
    }
    boolean due =
        tag.stalledFor().compareTo(settings.stallRestartAfter()) >= 0
            && (stall.lastRestarted() == null
                || Duration.between(stall.lastRestarted(), now).compareTo(settings.stallRestartAfter()) >= 0);
    if (due) {
      stall = new Stall(stall.offset(), stall.since(), stall.lastWarned(), now);
      restart(position.tag());
    }
    stalls.put(position.tag(), stall);
  }

  /** Stops and starts the tag's projection instance, wherever in the cluster it runs. */
  private void restart(String tag) {
    ProjectionId id = ProjectionId.of(ActionLogProjection.NAME, tag);
    ProjectionManagement management = ProjectionManagement.get(system);
    log.warn("Restarting the read-side projection of tag {}", tag);
    management.pause(id)
        .thenCompose(paused -> management.resume(id))
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                log.warn("Could not restart the projection of tag {}: {}", tag, failure.getMessage());
              }
            });
  }
}
