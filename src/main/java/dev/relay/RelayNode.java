package dev.relay;

import com.typesafe.config.Config;
import dev.relay.cluster.ClusterMetrics;
import dev.relay.cluster.Readiness;
import dev.relay.core.AsyncFailure;
import dev.relay.http.AdminToken;
import dev.relay.http.ErrorHandling;
import dev.relay.metrics.Metrics;
import dev.relay.persistence.Database;
import dev.relay.persistence.H2Housekeeping;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Relay node: database schema, actor system, cluster membership, management (health), the
 * sharded entities and the HTTP API. {@link Main} starts one from the command line; tests start
 * several in one JVM.
 */
public final class RelayNode {

  private static final Logger log = LoggerFactory.getLogger(RelayNode.class);
  private static final String HTTP_BOUND = "http-bound";
  /** Readiness condition: the database answers (probed all along). */
  private static final String DATABASE = "database";

  private final ActorSystem<Void> system;
  private final RelaySettings settings;
  private final Database database;
  private final Services services;
  private final ServerBinding binding;
  private final ServerBinding adminBinding;
  private final Uri managementUri;

  private RelayNode(
      ActorSystem<Void> system,
      RelaySettings settings,
      Database database,
      Services services,
      ServerBinding binding,
      ServerBinding adminBinding,
      Uri managementUri) {
    this.system = system;
    this.managementUri = managementUri;
    this.settings = settings;
    this.database = database;
    this.services = services;
    this.binding = binding;
    this.adminBinding = adminBinding;
  }

  /**
   * Starts a node and completes once its HTTP API is bound. Management ({@code /alive}) answers
   * from the start; the rest waits until the database answers and its schema is there, so a node
   * started while the database is away comes up by itself once it is back.
   */
  public static CompletionStage<RelayNode> start(Config config) {
    // Before anything starts: a bad value stops the node here, with a message naming its key.
    RelaySettings settings = RelaySettings.from(config);
    // Before anything starts: a token too short to use stops the node here.
    String adminToken = AdminToken.resolve(settings.adminToken(), settings.dataDir());
    Database database = Database.open(settings.database());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "relay", config);
    // Before anything registers a meter: the histograms' buckets apply to meters registered later.
    Metrics.get(system).configure(settings.metrics());
    ClusterMetrics.bind(system, Metrics.get(system).registry());
    Readiness readiness = Readiness.get(system);
    readiness.await(HTTP_BOUND);
    readiness.await(DATABASE);
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "close-read-side-pool",
            () -> {
              database.close();
              return CompletableFuture.completedFuture(Done.getInstance());
            });

    CompletionStage<Uri> management = joinCluster(system, settings);

    return database
        .createSchemaWhenReachable(system)
        .thenCompose(
            schema -> {
              database.probeForReadiness(system, readiness, DATABASE);
              if (!database.isPostgres()) {
                H2Housekeeping.start(system, database.h2Store(), settings.database().h2Housekeeping());
              }
              Services services = Services.start(system, settings, database);
              HttpApi api = new HttpApi(services, settings, database, adminToken);

              // With relay.admin.port, /api has a listener of its own and is not on the ingest port at all.
              Optional<Integer> adminPort = settings.admin().port();
              CompletionStage<ServerBinding> ingest =
                  bind(system, settings, settings.httpPort(), adminPort.isPresent() ? api.ingest() : api.route());
              CompletionStage<Optional<ServerBinding>> admin =
                  adminPort.isPresent()
                      ? bind(system, settings, adminPort.get(), api.admin()).thenApply(Optional::of)
                      : CompletableFuture.completedFuture(Optional.empty());

              return ingest
                  .thenCombine(admin, (binding, adminBinding) -> new Bindings(binding, adminBinding.orElse(binding)))
                  .thenCombine(management, (bindings, managementUri) -> {
                        readiness.ready(HTTP_BOUND);
                        InetSocketAddress address = bindings.http().localAddress();
                        log.info(
                            "Relay node up: HTTP on {}:{}{}, database {}",
                            address.getHostString(),
                            address.getPort(),
                            adminPort.isPresent() ? ", admin API on port " + bindings.admin().localAddress().getPort() : "",
                            database.isPostgres() ? "PostgreSQL" : "H2 in " + settings.dataDir());
                        return new RelayNode(system, settings, database, services, bindings.http(), bindings.admin(), managementUri);
                      });
            })
        .exceptionally(
            failure -> {
              system.terminate();
              Throwable cause = AsyncFailure.unwrap(failure);
              throw new IllegalStateException(
                  "could not start the node's HTTP API on port " + settings.httpPort()
                      + settings.admin().port().map(port -> " and admin port " + port).orElse("") + ": " + cause.getMessage(),
                  cause);
            });
  }

  private record Bindings(ServerBinding http, ServerBinding admin) {}

  private static CompletionStage<ServerBinding> bind(
      ActorSystem<Void> system, RelaySettings settings, int port, Route route) {
    return Http.get(system)
        .newServerAt(settings.httpInterface(), port)
        .bind(ErrorHandling.seal(route))
        .thenApply(binding -> {
          // Unbind first, let requests in flight finish, then leave the cluster.
          binding.addToCoordinatedShutdown(settings.httpDrainTimeout(), system);
          return binding;
        });
  }

  /** Starts management (health, cluster HTTP) and joins or forms the cluster. */
  private static CompletionStage<Uri> joinCluster(
      ActorSystem<Void> system, RelaySettings settings) {
    CompletionStage<Uri> management = PekkoManagement.get(system).start();
    if (settings.clusterBootstrap()) {
      ClusterBootstrap.get(system).start();
    } else if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    // Otherwise the cluster joins the configured seed nodes by itself.
    return management;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public Services services() {
    return services;
  }

  public RelaySettings settings() {
    return settings;
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  /** The port of the admin API: relay.admin.port's listener, else the same as {@link #httpPort()}. */
  public int adminPort() {
    return adminBinding.localAddress().getPort();
  }

  /** Where management answers: {@code /alive}, {@code /ready}, {@code /cluster/members}. */
  public Uri managementUri() {
    return managementUri;
  }

  public Database database() {
    return database;
  }

  /** Leaves the cluster and stops, the way SIGTERM does. */
  public CompletionStage<Done> stop() {
    return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
  }

  /** Waits for the node to stop. */
  public void awaitTermination(Duration atMost) throws Exception {
    system.getWhenTerminated().toCompletableFuture().get(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }
}
