package dev.relay.readside;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.http.Json;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code GET /health/read-side} on the management port: 200 while every read-side tag keeps up (or
 * catches up), 503 while one is stalled, with what the monitor last saw. Not part of readiness:
 * every node shares the read side, so a stalled tag must not take every node out of service.
 */
public final class ReadSideHealthRoute extends AllDirectives implements ManagementRouteProvider {

  /** Where the node's monitor is found once the read side has started. */
  static final class Registry implements Extension {
    final AtomicReference<ReadSideMonitor> monitor = new AtomicReference<>();
    final AtomicReference<ObjectMapper> mapper = new AtomicReference<>();

    static final ExtensionId<Registry> ID =
        new ExtensionId<>() {
          @Override
          public Registry createExtension(ActorSystem<?> system) {
            return new Registry();
          }
        };
  }

  private final Registry registry;

  public ReadSideHealthRoute(ExtendedActorSystem system) {
    this.registry = Registry.ID.apply(Adapter.toTyped(system));
  }

  static void register(ActorSystem<?> system, ReadSideMonitor monitor, ObjectMapper mapper) {
    Registry registry = Registry.ID.apply(system);
    registry.mapper.set(mapper);
    registry.monitor.set(monitor);
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path(
        PathMatchers.segment("health").slash("read-side"),
        () ->
            get(
                () -> {
                  ReadSideMonitor monitor = registry.monitor.get();
                  if (monitor == null) {
                    return complete(Json.error(StatusCodes.SERVICE_UNAVAILABLE, "the read side has not started"));
                  }
                  ReadSideMonitor.Health health = monitor.lastSeen();
                  try {
                    String body = registry.mapper.get().writeValueAsString(ReadSideReport.of(health, false));
                    return complete(
                        HttpResponse.create()
                            .withStatus(health.healthy() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE)
                            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body)));
                  } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                  }
                }));
  }
}
