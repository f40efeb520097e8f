package dev.relay.delivery;

import dev.relay.catalog.HeaderRules;
import dev.relay.catalog.OutgoingRequest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.ClientTransport;
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
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * Delivers over Pekko HTTP's pooled client. A destination's timeout bounds the whole exchange, the
 * answer's body included, and the connection's idle time, so a slow server frees its connection too;
 * pools are shared per host and timeout. Host names are resolved here, on a dispatcher for blocking
 * work, and the connection goes to the very address the {@link AddressPolicy} checked, so a name
 * that resolves differently the next time (DNS rebinding) cannot lead inside the network.
 */
public final class HttpDelivery implements Deliverer {

  /** The dispatcher of the blocking DNS look-ups (application.conf). */
  public static final String RESOLVER_DISPATCHER = "relay.delivery.resolver-dispatcher";

  private final Http http;
  private final Materializer materializer;
  private final LoggingAdapter log;
  private final ConnectionPoolSettings defaults;
  private final ClientConnectionSettings connectionDefaults;
  private final AddressPolicy policy;
  private final Executor resolver;
  private final int excerptBytes;
  private final long maxResponseBytes;
  private final Map<Duration, ConnectionPoolSettings> poolsByTimeout = new ConcurrentHashMap<>();

  /**
   * @param excerptBytes how much of an answer's body is kept
   * @param maxResponseBytes how much of it is read at most: beyond, the connection is dropped
   */
  public HttpDelivery(ActorSystem<?> system, AddressPolicy policy, int excerptBytes, long maxResponseBytes) {
    this.http = Http.get(system);
    this.materializer = Materializer.matFromSystem(system);
    this.log = system.classicSystem().log();
    this.policy = policy;
    this.resolver = system.dispatchers().lookup(DispatcherSelector.fromConfig(RESOLVER_DISPATCHER));
    this.defaults = ConnectionPoolSettings.create(system.classicSystem());
    this.connectionDefaults =
        ClientConnectionSettings.create(system.classicSystem())
            .withTransport(ClientTransport.withCustomResolver(this::resolve));
    this.excerptBytes = excerptBytes;
    this.maxResponseBytes = maxResponseBytes;
  }

  @Override
  public CompletionStage<DeliveryResponse> send(OutgoingRequest request, Duration timeout) {
    HttpRequest httpRequest;
    try {
      httpRequest = toHttp(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("cannot build request: " + e.getMessage(), e));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    return http.singleRequest(httpRequest, http.defaultClientHttpsContext(), pool(timeout), log)
        .thenCompose(response -> read(response, deadline, timeout))
        .toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(
            failure -> {
              Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
              Optional<AddressRefused> refused = AddressRefused.in(failure);
              if (refused.isPresent()) {
                cause = refused.get();
              } else if (cause instanceof TimeoutException) {
                cause = timedOut(timeout);
              }
              return CompletableFuture.failedFuture(cause);
            });
  }

  /** Resolves {@code host} and picks an address the policy permits; the connection goes there. */
  private CompletionStage<InetSocketAddress> resolve(String host, Object port) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            return new InetSocketAddress(policy.firstPermitted(host, addresses), (Integer) port);
          } catch (UnknownHostException e) {
            throw new CompletionException(new UnknownHostException("unknown host " + host));
          }
        },
        resolver);
  }

  private HttpRequest toHttp(OutgoingRequest request) {
    ContentType contentType = ContentTypes.APPLICATION_JSON;
    List<HttpHeader> headers = new ArrayList<>();
    for (Map.Entry<String, String> header : request.headers().entrySet()) {
      // Checked when the settings are saved; checked again so that nothing stored earlier is sent
      // (or logged by the client) with its value.
      HeaderRules.problem(header.getKey(), header.getValue())
          .ifPresent(
              problem -> {
                throw new IllegalArgumentException(problem);
              });
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

  /**
   * Reads the body until it ends, the deadline passes or it exceeds maxResponseBytes (which so bounds
   * what is kept), the excerpt being its first bytes. Short answers are read whole, which frees the
   * connection for the next request; in the other two cases the body is cancelled, which closes the
   * connection, and the exchange fails.
   */
  private CompletionStage<DeliveryResponse> read(HttpResponse response, long deadline, Duration timeout) {
    Optional<String> retryAfter = response.getHeader("Retry-After").map(HttpHeader::value);
    Source<ByteString, Object> body = response.entity().withoutSizeLimit().getDataBytes();
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      // The answer came after the exchange timed out: nobody reads it.
      body.runWith(Sink.cancelled(), materializer);
      return CompletableFuture.failedFuture(timedOut(timeout));
    }
    return body
        .completionTimeout(Duration.ofNanos(remaining))
        .limitWeighted(maxResponseBytes, chunk -> (long) chunk.size())
        .runWith(
            Sink.fold(ByteString.emptyByteString(), ByteString::concat),
            materializer)
        .handle(
            (kept, failure) -> {
              if (failure == null) {
                return new DeliveryResponse(
                    response.status().intValue(), kept.take(excerptBytes).utf8String(), retryAfter, kept.utf8String());
              }
              Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
              if (cause instanceof StreamLimitReachedException) {
                throw new CompletionException(
                    new IOException(
                        "answer (status " + response.status().intValue() + ") longer than " + maxResponseBytes
                            + " bytes: stopped reading it (relay.delivery.max-response-bytes)"));
              }
              if (cause instanceof TimeoutException) {
                throw new CompletionException(timedOut(timeout));
              }
              throw failure instanceof CompletionException c ? c : new CompletionException(failure);
            });
  }

  /** The exchange's deadline passed, before the answer began or while its body was still coming. */
  private static TimeoutException timedOut(Duration timeout) {
    return new TimeoutException("no complete answer within " + timeout.toMillis() + " ms");
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
