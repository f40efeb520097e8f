package dev.relay.readside;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.Problem;
import dev.relay.destination.Destinations;
import dev.relay.http.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /api/destinations/{id}/journal/{itemId}/retry} and {@code .../redrive}: failed or
 * discarded actions queued again, one or every one a journal query matches. The source events come
 * from the query tables; the destination queues each replay as a new action linked to its original.
 */
final class ReplayRoutes extends AllDirectives {

  /** The journal's filters a redrive takes; a page's limit and cursor, or one messageId, are not. */
  private static final Set<String> REDRIVE_FILTERS = Set.of("status", "eventType", "event", "userId", "from", "to");

  private final ActionLogRepository repository;
  private final Destinations destinations;
  private final Redrives redrives;
  private final Function<String, CompletionStage<Boolean>> existing;
  private final ObjectMapper mapper;

  ReplayRoutes(
      ActionLogRepository repository,
      Destinations destinations,
      Redrives redrives,
      Function<String, CompletionStage<Boolean>> existing,
      ObjectMapper mapper) {
    this.repository = repository;
    this.destinations = destinations;
    this.redrives = redrives;
    this.existing = existing;
    this.mapper = mapper;
  }

  /** The routes under {@code /api/destinations/{destinationId}/}. */
  Route route(String destinationId) {
    return concat(
        path(
            PathMatchers.segment("journal").slash(PathMatchers.segment()).slash("retry"),
            itemId -> post(() -> retry(destinationId, itemId))),
        path("redrive", () -> post(() -> Json.withBody(mapper, body -> redrive(destinationId, body)))));
  }

  private Route retry(String destinationId, String itemId) {
    CompletionStage<Map<String, String>> retried =
        existing
            .apply(destinationId)
            .thenCompose(found -> repository.replayable(destinationId, itemId))
            .thenCompose(
                found -> {
                  ActionLogRepository.Replayable item =
                      found.orElseThrow(
                          () -> Problem.notFound("no action " + itemId + " in the journal of destination " + destinationId));
                  if (item.test()) {
                    throw Problem.conflict("action " + itemId + " is a test call; test calls are never retried");
                  }
                  if (item.status() != ActionStatus.FAILED && item.status() != ActionStatus.DISCARDED) {
                    throw Problem.conflict(
                        "action " + itemId + " is " + item.status().wireName() + "; only a failed or discarded action can be retried");
                  }
                  if (item.replayedAs() != null) {
                    // Its replay is the action to retry if that failed too; so a second click sends nothing twice.
                    throw Problem.conflict(
                        "action " + itemId + " was retried already, as " + item.replayedAs() + "; retry that one if it failed");
                  }
                  return destinations.replay(destinationId, List.of(item.replayOf()));
                })
            .thenApply(
                replayed -> {
                  String newItemId = replayed.replayedAs().get(itemId);
                  if (newItemId == null) {
                    throw Problem.conflict("action " + itemId + " was not retried: " + replayed.skipped().get(itemId));
                  }
                  Map<String, String> answer = new LinkedHashMap<>();
                  answer.put("id", newItemId);
                  answer.put("replayOf", itemId);
                  return answer;
                });
    return onSuccess(retried, answer -> complete(StatusCodes.ACCEPTED, answer, Jackson.marshaller(mapper)));
  }

  private Route redrive(String destinationId, JsonNode body) {
    ActionLogQuery query = redriveQuery(body);
    return onSuccess(
        existing.apply(destinationId).thenCompose(found -> redrives.start(destinationId, query)),
        count -> complete(StatusCodes.ACCEPTED, Map.of("count", count), Jackson.marshaller(mapper)));
  }

  /** The body's filters as a journal query; {@code status} is required, failed or discarded. */
  static ActionLogQuery redriveQuery(JsonNode body) {
    if (!body.isObject()) {
      throw Problem.invalid("the body must be a JSON object of filters, e.g. {\"status\": \"failed\"}");
    }
    Map<String, String> filters = new LinkedHashMap<>();
    body.fields().forEachRemaining(
        field -> {
          if (!REDRIVE_FILTERS.contains(field.getKey())) {
            throw Problem.invalid(
                field.getKey() + ": unknown filter; known: " + String.join(", ", new TreeSet<>(REDRIVE_FILTERS)));
          }
          if (!field.getValue().isTextual()) {
            throw Problem.invalid(field.getKey() + ": must be a string");
          }
          filters.put(field.getKey(), field.getValue().textValue());
        });
    String status = filters.get("status");
    if (!ActionStatus.FAILED.wireName().equals(status) && !ActionStatus.DISCARDED.wireName().equals(status)) {
      throw Problem.invalid("status: required, failed or discarded");
    }
    return ActionLogQuery.parse(filters);
  }
}
