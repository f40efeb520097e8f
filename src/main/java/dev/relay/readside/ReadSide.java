package dev.relay.readside;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.catalog.Catalog;
import dev.relay.core.Problem;
import dev.relay.destination.ConnectedSources;
import dev.relay.destination.DestinationTags;
import dev.relay.destination.Destinations;
import dev.relay.persistence.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.javadsl.ProjectionManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The read side of a node: the action log projection (started here, run by the cluster), its health
 * monitor, and the rebuild of the query tables from the event journal. Its routes are {@link
 * ReadSideRoutes}.
 */
public final class ReadSide {

  private static final Logger log = LoggerFactory.getLogger(ReadSide.class);

  private final ActorSystem<?> system;
  private final Database database;
  private final SqlDialect dialect;
  private final List<ProjectionId> projections;
  private final Executor blocking;
  private final ReadSideMonitor monitor;
  private final ReadSideRoutes routes;
  private final AtomicBoolean rebuilding = new AtomicBoolean();

  private ReadSide(
      ActorSystem<?> system,
      Database database,
      DestinationTags tags,
      ReadSideSettings settings,
      ReadSideMonitor monitor,
      ActionLogRepository repository,
      Destinations destinations,
      ConnectedSources sources,
      Catalog catalog,
      ObjectMapper mapper) {
    this.system = system;
    this.database = database;
    this.dialect = SqlDialect.of(database.isPostgres());
    this.projections = ActionLogProjection.ids(tags);
    this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(settings.queryDispatcher()));
    this.monitor = monitor;
    ActionLogRoutes actionLog = new ActionLogRoutes(repository, destinations, mapper, Clock.systemUTC());
    this.routes =
        new ReadSideRoutes(
            this,
            actionLog,
            new ReplayRoutes(
                repository, destinations, new Redrives(system, repository, destinations, settings), actionLog::existing, mapper),
            new DestinationListing(system, repository, destinations, sources, catalog),
            mapper);
  }

  /** Starts this node's part of the projection and returns the read side's routes and operations. */
  public static ReadSide start(
      ActorSystem<?> system,
      ReadSideSettings settings,
      Database database,
      DestinationTags tags,
      Destinations destinations,
      ConnectedSources sources,
      Catalog catalog,
      ObjectMapper mapper) {
    SqlDialect dialect = SqlDialect.of(database.isPostgres());
    ActionLogProjection.init(system, tags, settings, database.dataSource(), dialect, mapper);
    ExecutionContextExecutor queries = system.dispatchers().lookup(DispatcherSelector.fromConfig(settings.queryDispatcher()));
    Clock clock = Clock.systemUTC();
    ReadSideMonitor monitor =
        new ReadSideMonitor(system, database.dataSource(), queries, tags, settings, database.isPostgres(), database.h2File(), clock);
    monitor.start();
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeServiceUnbind(),
            "stop-read-side-monitor",
            () -> {
              monitor.stop();
              return CompletableFuture.completedFuture(Done.getInstance());
            });
    ReadSideHealthRoute.register(system, monitor, mapper);
    return new ReadSide(
        system, database, tags, settings, monitor,
        new ActionLogRepository(database.dataSource(), queries, mapper), destinations, sources, catalog, mapper);
  }

  /** The read side's routes. */
  public ReadSideRoutes routes() {
    return routes;
  }

  /** What {@code GET /api/read-side} shows: each tag's progress and the storage. */
  CompletionStage<ReadSideReport> report() {
    return monitor.current().thenApply(health -> ReadSideReport.of(health, rebuilding.get()));
  }

  /**
   * Empties the query tables and forgets the projection's offsets, in one transaction, while every
   * projection instance is paused; then resumes them, and they replay the journal from its start.
   * Completes, with the number of projection instances, once the replay has started. If it is
   * interrupted (a node dies), the instances stay paused until it is run again.
   */
  public CompletionStage<Integer> rebuild() {
    if (!rebuilding.compareAndSet(false, true)) {
      return CompletableFuture.failedFuture(Problem.conflict("a rebuild of the read side is already under way"));
    }
    ProjectionManagement management = ProjectionManagement.get(system);
    log.info("Rebuilding the read side: pausing {} projection instances", projections.size());
    return all(projections.stream().map(management::pause).toList())
        .thenApplyAsync(paused -> emptyTablesAndOffsets(), blocking)
        .thenCompose(emptied -> all(projections.stream().map(management::resume).toList()))
        .thenApply(resumed -> projections.size())
        .whenComplete(
            (done, failure) -> {
              rebuilding.set(false);
              if (failure == null) {
                log.info("Read side emptied; the projection replays the journal");
              } else {
                log.error("Rebuilding the read side failed; run it again", failure);
              }
            });
  }

  private Done emptyTablesAndOffsets() {
    try (Connection connection = database.dataSource().getConnection()) {
      try (Statement statement = connection.createStatement()) {
        statement.setQueryTimeout(0); // emptying large tables may take longer than a query may
        for (String sql : dialect.emptyTables()) {
          statement.execute(sql);
        }
      }
      ActionLogProjection.forgetOffsets(connection);
      connection.commit();
      return Done.getInstance();
    } catch (SQLException e) {
      throw new IllegalStateException("could not empty the read side: " + e.getMessage(), e);
    }
  }

  private static CompletionStage<Done> all(List<CompletionStage<Done>> stages) {
    return CompletableFuture.allOf(stages.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new))
        .thenApply(v -> Done.getInstance());
  }
}
