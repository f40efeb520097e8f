package dev.relay.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.Problem;
import dev.relay.http.Json;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/sources} and the connections under {@code /api/destinations/{id}/sources/{sourceId}}.
 */
public final class SourceAdminRoutes extends AllDirectives {

  private final Sources sources;
  private final ObjectMapper mapper;

  public SourceAdminRoutes(Sources sources, ObjectMapper mapper) {
    this.sources = sources;
    this.mapper = mapper;
  }

  public Route sources() {
    return pathPrefix(
        "sources",
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            get(() -> onSuccess(sources.list(), list -> Json.ok(mapper, list))),
                            post(
                                () ->
                                    Json.withBody(
                                        mapper,
                                        body -> {
                                          if (!body.isObject()) {
                                            throw Problem.invalid("body must be a JSON object");
                                          }
                                          return onSuccess(
                                              sources.create(text(body, "name"), text(body, "type")),
                                              created -> Json.created(mapper, created));
                                        })))),
                path(
                    PathMatchers.segment(),
                    id ->
                        concat(
                            get(() -> onSuccess(sources.get(id), view -> Json.ok(mapper, view))),
                            delete(() -> onSuccess(sources.delete(id), view -> Json.ok(mapper, view)))))));
  }

  /** {@code sources/{sourceId}} under one destination: PUT connects, DELETE disconnects. */
  public Route connections(String destinationId) {
    return path(
        PathMatchers.segment("sources").slash(PathMatchers.segment()),
        sourceId ->
            concat(
                put(() -> onSuccess(sources.connect(destinationId, sourceId), view -> Json.ok(mapper, view))),
                delete(() -> onSuccess(sources.disconnect(destinationId, sourceId), view -> Json.ok(mapper, view)))));
  }

  private static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value != null && !value.isNull() && !value.isTextual()) {
      throw Problem.invalid(field + ": must be a string");
    }
    return value == null || value.isNull() ? null : value.asText();
  }
}
