package dev.relay.readside;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.http.Json;
import java.util.Map;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The read side's routes under {@code /api}: the list of destinations, each destination's action
 * journal, overview and replays, and the read side's own status and rebuild.
 */
public final class ReadSideRoutes extends AllDirectives {

  private final ReadSide readSide;
  private final ActionLogRoutes actionLog;
  private final ReplayRoutes replay;
  private final DestinationListing listing;
  private final ObjectMapper mapper;

  ReadSideRoutes(
      ReadSide readSide, ActionLogRoutes actionLog, ReplayRoutes replay, DestinationListing listing, ObjectMapper mapper) {
    this.readSide = readSide;
    this.actionLog = actionLog;
    this.replay = replay;
    this.listing = listing;
    this.mapper = mapper;
  }

  /** {@code GET /api/destinations}: every destination, oldest first. */
  public Route destinationList() {
    return path("destinations", () -> get(() -> onSuccess(listing.list(), list -> Json.ok(mapper, list))));
  }

  /** Journal, overview, retry and redrive: the routes under {@code /api/destinations/{destinationId}/}. */
  public Route destinationRoutes(String destinationId) {
    return concat(actionLog.route(destinationId), replay.route(destinationId));
  }

  /** {@code GET /api/read-side} and {@code POST /api/read-side/rebuild}. */
  public Route adminRoutes() {
    return pathPrefix(
        "read-side",
        () ->
            concat(
                pathEnd(() -> get(() -> onSuccess(readSide.report(), report -> Json.ok(mapper, report)))),
                path(
                    "rebuild",
                    () ->
                        post(
                            () ->
                                onSuccess(
                                    readSide.rebuild(),
                                    projections ->
                                        complete(
                                            StatusCodes.ACCEPTED,
                                            Map.of("rebuilding", true, "projections", projections),
                                            Jackson.marshaller(mapper)))))));
  }
}
