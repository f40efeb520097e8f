package dev.relay.readside;



import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.Problem;
import dev.relay.destination.DestinationTags;
import dev.relay.persistence.Database;
import dev.relay.destination.Destinations;
import dev.relay.http.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.javadsl.ProjectionManagement;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The read side of a node: the journal projection (started here, run by the cluster), the action
 * journal and overview routes, and the rebuild of the query tables from the event journal.
 */
public final class ReadSide extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(ReadSide.class);

  private final ActorSystem<?> system;
  private final Database database;
  private final SqlDialect dialect;
  private final List<ProjectionId> projections;
  private final Executor blocking;
  private final ActionLogRoutes routes;
  private final ObjectMapper mapper;
  private final ReadSideMonitor monitor;
  private final AtomicBoolean rebuilding = new AtomicBoolean();

  private ReadSide(
      ActorSystem<?> system,
      Database database,
      DestinationTags tags,
      ReadSideSettings settings,
      ActionLogRoutes routes,
      ObjectMapper mapper,
      ReadSideMonitor monitor) {
    this.system = system;
    this.database = database;
    this.dialect = SqlDialect.of(database.isPostgres());
    this.projections = ActionLogProjection.ids(tags);
    this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(settings.queryDispatcher()));
    this.routes = routes;
    this.mapper = mapper;
    this.monitor = monitor;
  }

  /** Starts this node's part of the projection and returns the read side's routes and operations. */
  public static ReadSide start(
      ActorSystem<?> system,
      ReadSideSettings settings,
      Database database,
      DestinationTags tags,
      Destinations destinations,
      ObjectMapper mapper) {
    SqlDialect dialect = SqlDialect.of(database.isPostgres());
    ActionLogProjection.init(system, tags, settings, database.dataSource(), dialect, mapper);
    ExecutionContextExecutor queries = system.dispatchers().lookup(DispatcherSelector.fromConfig(settings.queryDispatcher()));
    Clock clock = Clock.systemUTC();
    ActionLogRoutes routes =
        new ActionLogRoutes(
            new ActionLogRepository(database.dataSource(), queries, mapper),
            destinations,
            mapper,
            clock);
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
    return new ReadSide(system, database, tags, settings, routes, mapper, monitor);
  }

  /** Journal and overview: the routes under {@code /api/destinations/{destinationId}/}. */
  public Route destinationRoutes(String destinationId) {
    return routes.route(destinationId);
  }

  /** {@code GET /api/read-side} and {@code POST /api/read-side/rebuild} (under {@code /api}). */
  public Route adminRoutes() {
    return pathPrefix(
        "read-side",
        () ->
            concat(
                pathEnd(
                    () ->
                        get(
                            () ->
                                onSuccess(
                                    monitor.current(),
                                    health -> Json.ok(mapper, ReadSideReport.of(health, rebuilding.get()))))),
                path(
                    "rebuild",
                    () ->
                        post(
                            () ->
                                onSuccess(
                                    rebuild(),
                                    done ->
                                        complete(
                                            StatusCodes.ACCEPTED,
                                            Map.of("rebuilding", true, "projections", projections.size()),
                                            Jackson.marshaller(mapper)))))));
  }

  /**
   * Empties the query tables and forgets the projection's offsets, in one transaction, while every
   * projection instance is paused; then resumes them, and they replay the journal from its start.
   * Completes once the replay has started. If it is interrupted (a node dies), the instances stay
   * paused until it is run again.
   */
  public CompletionStage<Done> rebuild() {
    if (!rebuilding.compareAndSet(false, true)) {
      return CompletableFuture.failedFuture(Problem.conflict("a rebuild of the read side is already under way"));
    }
    ProjectionManagement management = ProjectionManagement.get(system);
    log.info("Rebuilding the read side: pausing {} projection instances", projections.size());
    return all(projections.stream().map(management::pause).toList())
        .thenApplyAsync(paused -> emptyTablesAndOffsets(), blocking)
        .thenCompose(emptied -> all(projections.stream().map(management::resume).toList()))
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
      try (PreparedStatement offsets =
          connection.prepareStatement("DELETE FROM \"pekko_projection_offset_store\" WHERE \"projection_name\" = ?")) {
        offsets.setString(1, ActionLogProjection.NAME);
        offsets.executeUpdate();
      }
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
