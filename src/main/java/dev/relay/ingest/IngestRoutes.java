package dev.relay.ingest;

import dev.relay.http.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.AccessControlAllowHeaders;
import org.apache.pekko.http.javadsl.model.headers.AccessControlAllowMethods;
import org.apache.pekko.http.javadsl.model.headers.AccessControlAllowOrigin;
import org.apache.pekko.http.javadsl.model.headers.AccessControlMaxAge;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.http.javadsl.model.headers.BasicHttpCredentials;
import org.apache.pekko.http.javadsl.model.headers.HttpOriginRanges;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The ingest API that Segment's and Customer.io's source libraries speak: {@code POST /v1/<type>},
 * {@code /v1/batch} (and {@code /v1/import}, where Segment's Java library posts). Bodies may be
 * gzip-compressed; browsers may call it cross-origin.
 */
public final class IngestRoutes extends AllDirectives {

  private static final Map<String, String> ENDPOINTS =
      Map.of(
          "track", "track",
          "identify", "identify",
          "page", "page",
          "screen", "screen",
          "group", "group",
          "alias", "alias",
          "batch", "batch",
          "import", "batch");

  private static final List<HttpHeader> CORS =
      List.of(
          AccessControlAllowOrigin.create(HttpOriginRanges.ALL),
          AccessControlAllowMethods.create(HttpMethods.POST, HttpMethods.OPTIONS),
          AccessControlAllowHeaders.create("Authorization", "Content-Type", "Content-Encoding"),
          AccessControlMaxAge.create(86400));

  private static final String SUCCESS = "{\"success\":true}";

  private final Ingest ingest;
  private final int maxRequestBytes;

  public IngestRoutes(Ingest ingest, IngestSettings settings) {
    this.ingest = ingest;
    this.maxRequestBytes = settings.limits().maxRequestBytes();
  }

  public Route route() {
    return pathPrefix(
        "v1",
        () ->
            pathPrefix(
                PathMatchers.segment(),
                name -> pathEndOrSingleSlash(() -> {
                  String endpoint = ENDPOINTS.get(name);
                  if (endpoint == null) {
                    return complete(Json.error(StatusCodes.NOT_FOUND, "unknown endpoint /v1/" + name));
                  }
                  return respondWithHeaders(
                      CORS,
                      () ->
                          concat(
                              options(() -> complete(StatusCodes.NO_CONTENT)),
                              post(() -> accept(endpoint))));
                })));
  }

  private Route accept(String endpoint) {
    return optionalHeaderValueByType(
        Authorization.class,
        authorization ->
            decodeRequest(
                () ->
                    // The limit applies to the decompressed body: a small gzip cannot smuggle a huge one.
                    withSizeLimit(
                        maxRequestBytes,
                        () ->
                            entity(
                                Unmarshaller.entityToByteString(),
                                body ->
                                    onSuccess(
                                        ingest.accept(endpoint, body.toArray(), writeKey(authorization)),
                                        done -> complete(Json.okJson(SUCCESS)))))));
  }

  private static Optional<String> writeKey(Optional<Authorization> authorization) {
    return authorization
        .map(Authorization::credentials)
        .filter(BasicHttpCredentials.class::isInstance)
        .map(credentials -> ((BasicHttpCredentials) credentials).username());
  }
}
