package dev.relay;

import dev.relay.catalog.CatalogRoutes;
import dev.relay.console.ConsoleRoutes;
import dev.relay.destination.DestinationRoutes;
import dev.relay.destination.MappingToolRoutes;
import dev.relay.http.AdminAuth;
import dev.relay.ingest.IngestRoutes;
import dev.relay.source.SourceAdminRoutes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Every HTTP route of a node: ingest under {@code /v1}, the admin API under {@code /api}, the console at {@code /}. */
final class HttpApi extends AllDirectives {

  private final Services services;
  private final AdminAuth adminAuth;

  HttpApi(Services services, String adminToken) {
    this.services = services;
    this.adminAuth = new AdminAuth(adminToken);
  }

  Route route() {
    SourceAdminRoutes sources = new SourceAdminRoutes(services.sources(), services.mapper());
    DestinationRoutes destinations =
        new DestinationRoutes(services.destinations(), services.sources()::deleteDestination, services.mapper());
    return concat(
        new IngestRoutes(services.ingest(), services.ingestSettings()).route(),
        pathPrefix(
            "api",
            () ->
                adminAuth.require(
                    () ->
                        concat(
                            new CatalogRoutes(services.catalog(), services.mapper()).route(),
                            new MappingToolRoutes(services.mapper()).route(),
                            sources.sources(),
                            destinations.route(id -> concat(sources.connections(id), services.readSide().destinationRoutes(id))),
                            services.readSide().adminRoutes()))),
        new ConsoleRoutes(services.mapper()).route());
  }
}
