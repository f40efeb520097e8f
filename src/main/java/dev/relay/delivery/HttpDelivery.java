package dev.relay.delivery;

import dev.relay.catalog.HeaderRules;
import dev.relay.catalog.OutgoingRequest;
import dev.relay.core.AsyncFailure;
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
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * Delivers over Pekko HTTP's pooled client. A destination's timeout bounds the whole exchange, the
 * answer's body included, and the connection's idle time, so a slow server frees its connection too;
 * pools are shared per host and timeout. Host names are resolved here, on a dispatcher for blocking
 * work, and the connection goes to the very address the {@link AddressPolicy} checked, so a name
 * that resolves differently the next time (DNS rebinding) cannot lead inside the network.
 *
 * <p>Each destination has its own connection pools ({@link #forDestination}): a destination that
 * hangs or fails holds only its own connections, at most its max-in-flight (plus its test calls),
 * and never makes another wait, even on the same host. Pekko shares a pool between requests with
 * equal settings; a destination's settings carry its own transport, so they equal no other's. An
 * idle pool closes itself ({@code pekko.http.host-connection-pool.idle-timeout}), so the pools of a
 * node are those of the destinations it recently sent to.
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
  private final Duration maxConnectTimeout;
  private final int connectionsPerDestination;
  private final Map<Duration, ConnectionPoolSettings> poolsByTimeout = new ConcurrentHashMap<>();
  /** The parsed URL and content type of the requests sent outside a destination. */
  private final Parsed shared = new Parsed();

  /** Delivers as {@code settings} say: addresses allowed, how much of an answer is read and kept. */
  public static HttpDelivery of(ActorSystem<?> system, DeliverySettings settings) {
    return new HttpDelivery(
        system,
        settings.addressPolicy(),
        settings.responseExcerptBytes(),
        settings.maxResponseBytes(),
        settings.maxConnectTimeout(),
        settings.maxInFlight() + settings.maxTestsInFlight());
  }

  /**
   * @param excerptBytes how much of an answer's body is kept
   * @param maxResponseBytes how much of it is read at most: beyond, the connection is dropped
   * @param maxConnectTimeout longest wait for a connection, however long the destination's timeout
   * @param connectionsPerDestination most requests one destination has open at once
   */
  public HttpDelivery(
      ActorSystem<?> system,
      AddressPolicy policy,
      int excerptBytes,
      long maxResponseBytes,
      Duration maxConnectTimeout,
      int connectionsPerDestination) {
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
    this.maxConnectTimeout = maxConnectTimeout;
    this.connectionsPerDestination = connectionsPerDestination;
  }

  @Override
  public Deliverer forDestination(String destinationId) {
    return new DestinationPools();
  }

  /**
   * One destination's pools, by timeout (a destination has one timeout at a time; a settings change
   * leaves the old pool to close when idle). Its own transport makes its settings its own.
   */
  private final class DestinationPools implements Deliverer {
    private final ClientConnectionSettings connection =
        connectionDefaults.withTransport(ClientTransport.withCustomResolver(HttpDelivery.this::resolve));
    private record Pool(Duration timeout, ConnectionPoolSettings settings) {}

    private volatile Pool pool;
    private final Parsed parsed = new Parsed();

    @Override
    public CompletionStage<DeliveryResponse> send(OutgoingRequest request, Duration timeout) {
      Pool current = pool;
      if (current == null || !current.timeout().equals(timeout)) {
        current =
            new Pool(
                timeout,
                defaults
                    .withMaxConnections(connectionsPerDestination)
                    .withMaxOpenRequests(powerOfTwoAtLeast(connectionsPerDestination))
                    .withConnectionSettings(connectionSettings(connection, timeout)));
        pool = current;
      }
      return HttpDelivery.this.send(request, timeout, current.settings(), parsed);
    }
  }

  /**
   * The URL and content type of the last request, parsed: a destination's requests repeat them, and
   * parsing both anew was about a tenth of the node's work per request at batchSize 1.
   */
  private static final class Parsed {
    final Last<Uri> uri = new Last<>(Uri::create);
    final Last<ContentType> contentType = new Last<>(ContentTypes::parse);
  }

  /** The last text parsed and what it parsed to; a different text is parsed (and kept) instead. */
  private static final class Last<T> {
    private record Entry<T>(String text, T value) {}

    private final Function<String, T> parse;
    private volatile Entry<T> last;

    Last(Function<String, T> parse) {
      this.parse = parse;
    }

    T of(String text) {
      Entry<T> entry = last;
      if (entry == null || !entry.text().equals(text)) {
        entry = new Entry<>(text, parse.apply(text));
        last = entry;
      }
      return entry.value();
    }
  }

  private static int powerOfTwoAtLeast(int n) {
    return Integer.highestOneBit(Math.max(1, n - 1)) << 1;
  }

  private ClientConnectionSettings connectionSettings(ClientConnectionSettings base, Duration timeout) {
    return base
        .withIdleTimeout(timeout)
        .withConnectingTimeout(timeout.compareTo(maxConnectTimeout) < 0 ? timeout : maxConnectTimeout);
  }

  /** Sends on a pool shared per host and timeout; destinations send on their own ({@link #forDestination}). */
  @Override
  public CompletionStage<DeliveryResponse> send(OutgoingRequest request, Duration timeout) {
    return send(request, timeout, pool(timeout), shared);
  }

  private CompletionStage<DeliveryResponse> send(
      OutgoingRequest request, Duration timeout, ConnectionPoolSettings pool, Parsed parsed) {
    HttpRequest httpRequest;
    try {
      httpRequest = toHttp(request, parsed);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("cannot build request: " + e.getMessage(), e));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    return http.singleRequest(httpRequest, http.defaultClientHttpsContext(), pool, log)
        .thenCompose(response -> read(response, deadline, timeout))
        .toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(
            failure -> {
              Throwable cause = AsyncFailure.unwrap(failure);
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

  private static HttpRequest toHttp(OutgoingRequest request, Parsed parsed) {
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
        contentType = parsed.contentType.of(header.getValue());
      } else {
        headers.add(RawHeader.create(header.getKey(), header.getValue()));
      }
    }
    return HttpRequest.create()
        .withUri(parsed.uri.of(request.url()))
        .withMethod(HttpMethods.lookup(request.method()).orElse(HttpMethods.POST))
        .addHeaders(headers)
        .withEntity(contentType, request.body().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads the body until it ends, the deadline passes or it exceeds maxResponseBytes (which so bounds
   * what is kept), the excerpt being its first bytes. Short answers are read whole, which frees the
   * connection for the next request; in the other two cases the body is cancelled, which closes the
   * connection, and the exchange fails. An answer that came whole with its head (the usual short
   * one) is taken as it is: running a stream to read it was about a twentieth of the node's work per
   * request at batchSize 1.
   */
  private CompletionStage<DeliveryResponse> read(HttpResponse response, long deadline, Duration timeout) {
    Optional<String> retryAfter = response.getHeader("Retry-After").map(HttpHeader::value);
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      // The answer came after the exchange timed out: nobody reads it.
      response.entity().getDataBytes().runWith(Sink.cancelled(), materializer);
      return CompletableFuture.failedFuture(timedOut(timeout));
    }
    if (response.entity() instanceof HttpEntity.Strict whole) {
      return whole.getData().size() > maxResponseBytes
          ? CompletableFuture.failedFuture(tooLong(response))
          : CompletableFuture.completedFuture(answer(response, whole.getData(), retryAfter));
    }
    return response.entity().withoutSizeLimit().getDataBytes()
        .completionTimeout(Duration.ofNanos(remaining))
        .limitWeighted(maxResponseBytes, chunk -> (long) chunk.size())
        .runWith(
            Sink.fold(ByteString.emptyByteString(), ByteString::concat),
            materializer)
        .handle(
            (kept, failure) -> {
              if (failure == null) {
                return answer(response, kept, retryAfter);
              }
              Throwable cause = AsyncFailure.unwrap(failure);
              if (cause instanceof StreamLimitReachedException) {
                throw new CompletionException(tooLong(response));
              }
              if (cause instanceof TimeoutException) {
                throw new CompletionException(timedOut(timeout));
              }
              throw failure instanceof CompletionException c ? c : new CompletionException(failure);
            });
  }

  /** The answer: its status, its body's first excerptBytes for the audit trail, and its body as read. */
  private DeliveryResponse answer(HttpResponse response, ByteString body, Optional<String> retryAfter) {
    return new DeliveryResponse(
        response.status().intValue(), body.take(excerptBytes).utf8String(), retryAfter, body.utf8String());
  }

  /** The answer's body is longer than maxResponseBytes: the exchange fails. */
  private IOException tooLong(HttpResponse response) {
    return new IOException(
        "answer (status " + response.status().intValue() + ") longer than " + maxResponseBytes
            + " bytes: stopped reading it (relay.delivery.max-response-bytes)");
  }

  /** The exchange's deadline passed, before the answer began or while its body was still coming. */
  private static TimeoutException timedOut(Duration timeout) {
    return new TimeoutException("no complete answer within " + timeout.toMillis() + " ms");
  }

  private ConnectionPoolSettings pool(Duration timeout) {
    return poolsByTimeout.computeIfAbsent(
        timeout,
        t -> defaults.withConnectionSettings(connectionSettings(connectionDefaults, t)));
  }
}
