package dev.relay;

import dev.relay.api.OpenApiRoute;
import dev.relay.catalog.CatalogRoutes;
import dev.relay.console.ConsoleRoutes;
import dev.relay.destination.DestinationRoutes;
import dev.relay.destination.MappingToolRoutes;
import dev.relay.destination.TesterRoutes;
import dev.relay.http.AdminAuth;
import dev.relay.http.AuthFailureThrottle;
import dev.relay.ingest.IngestRoutes;
import dev.relay.persistence.Database;
import dev.relay.readside.ReadSideRoutes;
import dev.relay.source.SourceAdminRoutes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Every HTTP route of a node: ingest under {@code /v1}, the admin API under {@code /api} and the
 * console at {@code /}, served on one port or (with relay.admin.port) the console and {@code /api}
 * on their own.
 */
final class HttpApi extends AllDirectives {

  private final Services services;
  private final RelaySettings settings;
  private final Database database;
  private final AdminAuth adminAuth;

  HttpApi(Services services, RelaySettings settings, Database database, String adminToken) {
    this.services = services;
    this.settings = settings;
    this.database = database;
    RelaySettings.Admin admin = settings.admin();
    this.adminAuth =
        new AdminAuth(
            adminToken,
            new AuthFailureThrottle(admin.maxFailures(), admin.failureWindow(), admin.trackedAddresses()));
  }

  /** Ingest and admin together, for one port. */
  Route route() {
    return concat(ingest(), admin());
  }

  Route ingest() {
    return durably(new IngestRoutes(services.ingest(), services.ingestSettings()).route());
  }

  /**
   * A request that may change something (any method but GET, HEAD, OPTIONS) is answered once what it
   * wrote is durable ({@link Database#flushed()}: at once on PostgreSQL, after the group commit on H2).
   */
  private Route durably(Route route) {
    return extractMethod(method -> method.isSafe()
        ? route
        : mapRouteResultFuture(result -> result.thenCompose(done -> database.flushed().thenApply(flushed -> done)), () -> route));
  }

  Route admin() {
    return durably(adminRoutes());
  }

  private Route adminRoutes() {
    SourceAdminRoutes sources = new SourceAdminRoutes(services.sources(), services.mapper());
    DestinationRoutes destinations =
        new DestinationRoutes(services.destinations(), services.mapper());
    ReadSideRoutes readSide = services.readSide().routes();
    TesterRoutes tester = new TesterRoutes(services.destinations(), services.tester(), services.mapper());
    return concat(
        pathPrefix(
            "api",
            () -> concat(
                new OpenApiRoute().route(), // no token: it describes the API, not data
                adminAuth.require(
                    () ->
                        concat(
                            new CatalogRoutes(services.catalog(), services.mapper()).route(),
                            new MappingToolRoutes(
                                services.mapper(), settings.mappingLimits(), services.ingestSettings().limits().maxNestingDepth()).route(),
                            sources.sources(),
                            readSide.destinationList(),
                            destinations.route(id -> concat(sources.connections(id), readSide.destinationRoutes(id), tester.route(id))),
                            readSide.adminRoutes())))),
        new ConsoleRoutes(services.mapper(), settings.console()).route());
  }
}
