package dev.relay.metrics;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
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
  /** A scrape of many destinations takes a while (0.14 s for 1,000): off the threads actors run on. */
  private final Executor blocking;

  public MetricsRoute(ExtendedActorSystem system) {
    ActorSystem<?> typed = Adapter.toTyped(system);
    this.metrics = Metrics.get(typed);
    this.blocking = typed.dispatchers().lookup(DispatcherSelector.blocking());
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path(
        "metrics",
        () -> get(() -> completeWithFuture(
            CompletableFuture.supplyAsync(
                () -> HttpResponse.create().withEntity(HttpEntities.create(TEXT_FORMAT, ByteString.fromString(metrics.scrape()))),
                blocking))));
  }
}
