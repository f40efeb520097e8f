package dev.relay.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Ids;
import dev.relay.http.Json;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/destinations}: HTTP to destination commands and replies to JSON. The list of
 * destinations is the read side's ({@code ReadSideRoutes}).
 */
public final class DestinationRoutes extends AllDirectives {

  private final Destinations destinations;
  private final ObjectMapper mapper;

  public DestinationRoutes(Destinations destinations, ObjectMapper mapper) {
    this.destinations = destinations;
    this.mapper = mapper;
  }

  /** The destination routes; {@code more} adds routes under {@code /api/destinations/{id}/}. */
  public Route route(Function<String, Route> more) {
    return pathPrefix(
        "destinations",
        () ->
            concat(
                // GET lists them: served by the read side, which knows them without asking each one.
                pathEnd(() -> post(() -> withJson(body -> create(body)))),
                pathPrefix(PathMatchers.segment(), id -> destination(id, more))));
  }

  private Route create(JsonNode body) {
    DestinationRequests.CreateRequest request = DestinationRequests.create(body);
    CompletionStage<DestinationView> created =
        destinations.ask(
            Ids.newId("dst"),
            replyTo ->
                new DestinationCommand.Create(
                    request.name(), request.type(), request.settings(), request.actions(), request.enabled(), replyTo));
    return onSuccess(created, view -> Json.created(mapper, view));
  }

  private Route destination(String id, Function<String, Route> more) {
    return concat(
        pathEnd(
            () ->
                concat(
                    get(() -> send(id, DestinationCommand.Get::new)),
                    delete(() -> send(id, DestinationCommand.Delete::new)))),
        path("settings", () -> patch(() -> withJson(body -> updateSettings(id, body)))),
        pathPrefix(
            "actions",
            () ->
                concat(
                    pathEnd(() -> put(() -> withJson(body -> replaceActions(id, body)))),
                    path(
                        PathMatchers.segment(),
                        actionId -> patch(() -> withJson(body -> updateAction(id, actionId, body)))))),
        path("enable", () -> post(() -> send(id, DestinationCommand.Enable::new))),
        path("disable", () -> post(() -> send(id, DestinationCommand.Disable::new))),
        more.apply(id));
  }

  private Route updateSettings(String id, JsonNode body) {
    ObjectNode patch = DestinationRequests.settingsPatch(body);
    return send(id, replyTo -> new DestinationCommand.UpdateSettings(patch, replyTo));
  }

  private Route replaceActions(String id, JsonNode body) {
    List<ActionConfig> actions = DestinationRequests.actions(body);
    return send(id, replyTo -> new DestinationCommand.ReplaceActions(actions, replyTo));
  }

  private Route updateAction(String id, String actionId, JsonNode body) {
    DestinationRequests.ActionPatch patch = DestinationRequests.actionPatch(body);
    return send(
        id,
        replyTo ->
            new DestinationCommand.UpdateAction(
                actionId, patch.enabled(), patch.trigger(), patch.mapping(), replyTo));
  }

  /** Sends a command to destination {@code id} and answers with the destination it replies. */
  private Route send(String id, Function<ActorRef<DestinationReply>, DestinationCommand> command) {
    return reply(destinations.ask(id, command));
  }

  private Route reply(CompletionStage<DestinationView> view) {
    return onSuccess(view, v -> Json.ok(mapper, v));
  }

  private Route withJson(Function<JsonNode, Route> inner) {
    return Json.withBody(mapper, inner);
  }
}
