package dev.relay.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A destination on loopback that records every request and answers as told: queue up answers (500
 * three times, then 200; 429 with Retry-After; a slow answer) or set a default. A real HTTP server
 * (the JDK's), so Relay's real client and connection pool are exercised.
 */
public final class StandInDestination implements AutoCloseable {

  /** One scripted answer. */
  public record Answer(int status, String body, Map<String, String> headers, Duration delay) {
    public static Answer status(int status) {
      return new Answer(status, "{\"ok\":" + (status < 300) + "}", Map.of(), Duration.ZERO);
    }

    public Answer withHeader(String name, String value) {
      return new Answer(status, body, Map.of(name, value), delay);
    }

    public Answer after(Duration delay) {
      return new Answer(status, body, headers, delay);
    }
  }

  /** A request as the stand-in received it. */
  public record Received(String method, String path, Map<String, List<String>> headers, String body, long atMillis) {
    public String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  private final HttpServer server;
  private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
  private volatile java.util.function.Function<Received, Answer> fallback = request -> Answer.status(200);
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<Received> accepted = new CopyOnWriteArrayList<>();

  private StandInDestination(HttpServer server) {
    this.server = server;
  }

  public static StandInDestination start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
      StandInDestination standIn = new StandInDestination(server);
      server.createContext("/", standIn::handle);
      server.setExecutor(Executors.newFixedThreadPool(16));
      server.start();
      return standIn;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** The next requests get these answers, in order; then the fallback. */
  public StandInDestination thenAnswer(Answer... answers) {
    script.addAll(List.of(answers));
    return this;
  }

  public StandInDestination alwaysAnswer(Answer answer) {
    fallback = request -> answer;
    return this;
  }

  /** Unscripted requests get the answer {@code answers} gives them, e.g. a refusal of a bad body. */
  public StandInDestination answerBy(java.util.function.Function<Received, Answer> answers) {
    fallback = answers;
    return this;
  }

  public List<Received> received() {
    return new ArrayList<>(received);
  }

  /**
   * The requests answered with a 2xx status that reached the client: what the destination took as
   * delivered. Exact even when the answer is switched while requests are under way.
   */
  public List<Received> accepted() {
    return new ArrayList<>(accepted);
  }

  private static final java.util.regex.Pattern MESSAGE_ID = java.util.regex.Pattern.compile("\"messageId\":\"([^\"]+)\"");

  /** The messageIds in the bodies of the requests answered 2xx (single events and batches alike). */
  public java.util.Set<String> acceptedMessageIds() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (Received request : accepted) {
      java.util.regex.Matcher matcher = MESSAGE_ID.matcher(request.body());
      while (matcher.find()) {
        ids.add(matcher.group(1));
      }
    }
    return ids;
  }

  /** Waits until {@code condition} holds, failing after {@code atMost}. */
  public static void await(Duration atMost, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + atMost + " waiting for: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  public void awaitRequests(int count, Duration atMost) {
    await(atMost, count + " requests (have " + received.size() + ")", () -> received.size() >= count);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Received request =
        new Received(
            exchange.getRequestMethod(),
            exchange.getRequestURI().toString(),
            Map.copyOf(exchange.getRequestHeaders()),
            body,
            System.currentTimeMillis());
    received.add(request);
    Answer answer = script.poll();
    if (answer == null) {
      answer = fallback.apply(request);
    }
    if (!answer.delay().isZero()) {
      try {
        TimeUnit.MILLISECONDS.sleep(answer.delay().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    try {
      exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
      if (answer.status() / 100 == 2) {
        accepted.add(request);
      }
    } catch (IOException clientGone) {
      // Relay timed out and closed the connection: expected in the slow-answer tests.
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
