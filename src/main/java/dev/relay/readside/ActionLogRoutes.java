package dev.relay.readside;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Problem;
import dev.relay.destination.Destinations;
import dev.relay.http.Json;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/destinations/{id}/journal} and {@code .../overview}: HTTP to the query repository,
 * and its answers to JSON. Parameters are checked before the
 * destination is looked up, so a bad one is a 400 either way; an unknown destination is a 404.
 */
final class ActionLogRoutes extends AllDirectives {

  private final ActionLogRepository repository;
  private final Destinations destinations;
  private final ObjectMapper mapper;
  private final Clock clock;

  ActionLogRoutes(
      ActionLogRepository repository, Destinations destinations, ObjectMapper mapper, Clock clock) {
    this.repository = repository;
    this.destinations = destinations;
    this.mapper = mapper;
    this.clock = clock;
  }

  /** The routes under {@code /api/destinations/{destinationId}/}. */
  Route route(String destinationId) {
    return concat(
        pathPrefix(
            "journal",
            () ->
                concat(
                    pathEnd(() -> get(() -> parameterMap(params -> list(destinationId, params)))),
                    path(PathMatchers.segment(), itemId -> get(() -> detail(destinationId, itemId))))),
        path("overview", () -> get(() -> parameterMap(params -> overview(destinationId, params)))));
  }

  private Route list(String destinationId, Map<String, String> params) {
    ActionLogQuery query = ActionLogQuery.parse(params);
    return onSuccess(
        existing(destinationId).thenCompose(found -> repository.list(destinationId, query)),
        page -> Json.ok(mapper, page));
  }

  private Route detail(String destinationId, String itemId) {
    return onSuccess(
        existing(destinationId)
            .thenCompose(found -> repository.detail(destinationId, itemId))
            .thenApply(
                detail ->
                    detail
                        .map(this::detailJson)
                        .orElseThrow(() -> Problem.notFound("no action " + itemId + " in the journal of destination " + destinationId))),
        json -> Json.ok(mapper, json));
  }

  /** The item's fields, with {@code event} being the source event (its name stays in {@code eventName}). */
  private ObjectNode detailJson(ActionLogViews.Detail detail) {
    ObjectNode json = mapper.valueToTree(detail.item());
    json.set("eventName", json.get("event"));
    json.set("event", detail.event());
    json.set("attemptLog", mapper.valueToTree(detail.attemptLog()));
    return json;
  }

  private Route overview(String destinationId, Map<String, String> params) {
    OverviewQuery query = OverviewQuery.parse(params, clock.instant());
    return onSuccess(
        existing(destinationId)
            .thenCompose(
                found -> repository.counters(destinationId, query.from().toEpochMilli(), query.to().toEpochMilli()))
            .thenApply(query::report),
        overview -> Json.ok(mapper, overview));
  }

  /**
   * Completes when the destination exists; fails with a 404 when it does not. The read side knows
   * every destination but the newest few, so a backlogged destination's entity is asked only then.
   */
  CompletionStage<Boolean> existing(String destinationId) {
    return repository
        .known(destinationId)
        .thenCompose(
            known ->
                switch (known) {
                  case ACTIVE -> CompletableFuture.completedFuture(true);
                  case DELETED -> CompletableFuture.completedFuture(false);
                  case UNKNOWN -> destinations.find(destinationId).thenApply(Optional::isPresent);
                })
        .thenApply(
            exists -> {
              if (!exists) {
                throw Problem.notFound("no destination " + destinationId);
              }
              return true;
            });
  }
}
