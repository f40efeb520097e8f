package dev.relay;

import com.typesafe.config.Config;
import dev.relay.cluster.Readiness;
import dev.relay.http.AdminToken;
import dev.relay.http.ErrorHandling;
import dev.relay.persistence.H2Housekeeping;
import java.net.InetSocketAddress;
import java.time.Duration;
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
  private final Uri managementUri;

  private RelayNode(
      ActorSystem<Void> system,
      RelaySettings settings,
      Database database,
      Services services,
      ServerBinding binding,
      Uri managementUri) {
    this.system = system;
    this.managementUri = managementUri;
    this.settings = settings;
    this.database = database;
    this.services = services;
    this.binding = binding;
  }

  /**
   * Starts a node and completes once its HTTP API is bound. Management ({@code /alive}) answers
   * from the start; the rest waits until the database answers and its schema is there, so a node
   * started while the database is away comes up by itself once it is back.
   */
  public static CompletionStage<RelayNode> start(Config config) {
    RelaySettings settings = RelaySettings.from(config);
    Database database = Database.open(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "relay", config);
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
    String adminToken = AdminToken.resolve(settings.adminToken(), settings.dataDir());

    return database
        .createSchemaWhenReachable(system)
        .thenCompose(
            schema -> {
              database.probeForReadiness(system, readiness, DATABASE);
              if (!database.isPostgres()) {
                H2Housekeeping.start(system, database.dataSource(), config.getConfig("relay.db.h2-housekeeping"));
              }
              Services services = Services.start(system, settings, database);
              return Http.get(system)
                  .newServerAt(settings.httpInterface(), settings.httpPort())
                  .bind(ErrorHandling.seal(new HttpApi(services, adminToken).route()))
                  .thenCombine(management, (binding, managementUri) -> {
                        // Unbind first, let requests in flight finish, then leave the cluster.
                        binding.addToCoordinatedShutdown(settings.httpDrainTimeout(), system);
                        readiness.ready(HTTP_BOUND);
                        InetSocketAddress address = binding.localAddress();
                        log.info(
                            "Relay node up: HTTP on {}:{}, database {}",
                            address.getHostString(),
                            address.getPort(),
                            database.isPostgres() ? "PostgreSQL" : "H2 in " + settings.dataDir());
                        return new RelayNode(system, settings, database, services, binding, managementUri);
                      });
            })
        .exceptionally(
            failure -> {
              system.terminate();
              Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
              throw new IllegalStateException(
                  "could not bind HTTP on port " + settings.httpPort() + ": " + cause.getMessage(), cause);
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
