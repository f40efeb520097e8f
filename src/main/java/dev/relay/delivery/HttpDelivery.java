package dev.relay.delivery;

import dev.relay.catalog.OutgoingRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * Delivers over Pekko HTTP's pooled client. A destination's timeout bounds both the wait for the
 * answer and the connection's idle time, so a slow server frees its connection too; pools are shared
 * per host and timeout.
 */
public final class HttpDelivery implements Deliverer {

  private final Http http;
  private final Materializer materializer;
  private final LoggingAdapter log;
  private final ConnectionPoolSettings defaults;
  private final ClientConnectionSettings connectionDefaults;
  private final int excerptBytes;
  private final Map<Duration, ConnectionPoolSettings> poolsByTimeout = new ConcurrentHashMap<>();

  public HttpDelivery(ActorSystem<?> system, int excerptBytes) {
    this.http = Http.get(system);
    this.materializer = Materializer.matFromSystem(system);
    this.log = system.classicSystem().log();
    this.defaults = ConnectionPoolSettings.create(system.classicSystem());
    this.connectionDefaults = ClientConnectionSettings.create(system.classicSystem());
    this.excerptBytes = excerptBytes;
  }

  @Override
  public CompletionStage<DeliveryResponse> send(OutgoingRequest request, Duration timeout) {
    HttpRequest httpRequest;
    try {
      httpRequest = toHttp(request);
    } catch (RuntimeException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(
          new IllegalArgumentException("cannot build request: " + e.getMessage(), e));
    }
    return http.singleRequest(httpRequest, http.defaultClientHttpsContext(), pool(timeout), log)
        .thenCompose(this::read)
        .toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(
            failure -> {
              Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
              if (cause instanceof TimeoutException) {
                cause = new TimeoutException("no answer within " + timeout.toMillis() + " ms");
              }
              return java.util.concurrent.CompletableFuture.failedFuture(cause);
            });
  }

  private HttpRequest toHttp(OutgoingRequest request) {
    ContentType contentType = ContentTypes.APPLICATION_JSON;
    List<HttpHeader> headers = new ArrayList<>();
    for (Map.Entry<String, String> header : request.headers().entrySet()) {
      if (header.getKey().equalsIgnoreCase("Content-Type")) {
        // Pekko carries the content type on the entity, never as a raw header.
        contentType = ContentTypes.parse(header.getValue());
      } else {
        headers.add(RawHeader.create(header.getKey(), header.getValue()));
      }
    }
    return HttpRequest.create(request.url())
        .withMethod(HttpMethods.lookup(request.method()).orElse(HttpMethods.POST))
        .addHeaders(headers)
        .withEntity(contentType, request.body().getBytes(StandardCharsets.UTF_8));
  }

  /** Reads the whole body (which frees the connection) but keeps only its first bytes. */
  private CompletionStage<DeliveryResponse> read(HttpResponse response) {
    Optional<String> retryAfter = response.getHeader("Retry-After").map(HttpHeader::value);
    return response
        .entity()
        .withoutSizeLimit()
        .getDataBytes()
        .runWith(
            Sink.fold(
                ByteString.emptyByteString(),
                (kept, chunk) ->
                    kept.size() >= excerptBytes
                        ? kept
                        : kept.concat(chunk.take(excerptBytes - kept.size()))),
            materializer)
        .thenApply(
            body ->
                new DeliveryResponse(response.status().intValue(), body.utf8String(), retryAfter));
  }

  private ConnectionPoolSettings pool(Duration timeout) {
    return poolsByTimeout.computeIfAbsent(
        timeout,
        t ->
            defaults.withConnectionSettings(
                connectionDefaults
                    .withIdleTimeout(t)
                    .withConnectingTimeout(t.compareTo(Duration.ofSeconds(10)) < 0 ? t : Duration.ofSeconds(10))));
  }
}
