package dev.relay.ingest;

import dev.relay.core.AsyncFailure;
import dev.relay.core.Problem;
import dev.relay.http.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpEntity;
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
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

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
                    extractMaterializer(
                        materializer ->
                            extractRequestEntity(
                                entity ->
                                    onSuccess(
                                        measured(
                                            endpoint,
                                            readBody(entity, materializer)
                                                .thenCompose(body -> ingest.accept(endpoint, body, writeKey(authorization)))),
                                        done -> complete(Json.okJson(SUCCESS)))))));
  }

  private <T> CompletionStage<T> measured(String endpoint, CompletionStage<T> request) {
    long start = System.nanoTime();
    return request.whenComplete((done, failure) -> ingest.metrics().request(endpoint, start, failure));
  }

  /**
   * The body, decompressed; the limit applies to the decompressed bytes, so a small gzip cannot
   * smuggle a huge body. An oversized body is still read to its end (bytes past the limit are
   * counted, not kept) before it is refused: answering while the client is still sending closes a
   * connection with unread bytes, which resets it, and the client never sees the 413 (an SDK then
   * retries the same request). Pekko's max-content-length and decode-max-size bound the reading.
   */
  private CompletionStage<byte[]> readBody(HttpEntity entity, Materializer materializer) {
    return entity
        .getDataBytes()
        .runFold(new BoundedBody(maxRequestBytes), BoundedBody::add, materializer)
        .handle(
            (body, failure) -> {
              Throwable cause = failure == null ? null : AsyncFailure.unwrap(failure);
              if (cause instanceof EntityStreamSizeException) {
                throw Problem.tooLarge("request body is over the " + maxRequestBytes + "-byte limit");
              }
              if (cause != null) {
                throw Problem.invalid("could not read the request body: " + cause.getMessage());
              }
              if (body.size > maxRequestBytes) {
                throw Problem.tooLarge(
                    "request body is " + body.size + " bytes, over the " + maxRequestBytes + "-byte limit");
              }
              return body.kept.toArray();
            });
  }

  /** A body's bytes up to the limit, and how many there were in all. */
  private static final class BoundedBody {
    private final int limit;
    private ByteString kept = ByteString.emptyByteString();
    private long size;

    BoundedBody(int limit) {
      this.limit = limit;
    }

    BoundedBody add(ByteString chunk) {
      size += chunk.size();
      if (size <= limit) {
        kept = kept.concat(chunk); // a rope: the bytes are copied once, by toArray
      }
      return this;
    }
  }

  private static Optional<String> writeKey(Optional<Authorization> authorization) {
    return authorization
        .map(Authorization::credentials)
        .filter(BasicHttpCredentials.class::isInstance)
        .map(credentials -> ((BasicHttpCredentials) credentials).username());
  }
}
