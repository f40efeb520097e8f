package dev.relay.metrics;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /metrics} on the management port: the node's meters in the Prometheus text format, for a
 * Prometheus server to scrape. Registered in application.conf ({@code pekko.management.http.routes}).
 */
public final class MetricsRoute extends AllDirectives implements ManagementRouteProvider {

  /** What Prometheus asks for and expects: text format 0.0.4. */
  private static final ContentType TEXT_FORMAT =
      ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final Metrics metrics;

  public MetricsRoute(ExtendedActorSystem system) {
    this.metrics = Metrics.get(Adapter.toTyped(system));
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path("metrics", () -> get(() -> complete(HttpEntities.create(TEXT_FORMAT, ByteString.fromString(metrics.scrape())))));
  }
}
