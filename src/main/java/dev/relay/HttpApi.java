package dev.relay;

import dev.relay.catalog.CatalogRoutes;
import dev.relay.destination.DestinationRoutes;
import dev.relay.http.AdminAuth;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Every HTTP route of a node: ingest under {@code /v1}, the admin API under {@code /api}. */
final class HttpApi extends AllDirectives {

  private final Services services;
  private final AdminAuth adminAuth;

  HttpApi(ActorSystem<?> system, Services services, String adminToken) {
    this.services = services;
    this.adminAuth = new AdminAuth(adminToken);
  }

  Route route() {
    return pathPrefix(
        "api",
        () ->
            adminAuth.require(
                () ->
                    concat(
                        new CatalogRoutes(services.catalog(), services.mapper()).route(),
                        new DestinationRoutes(services.destinations(), services.mapper())
                            .route(services.readSide()::destinationRoutes),
                        services.readSide().adminRoutes())));
  }
}
