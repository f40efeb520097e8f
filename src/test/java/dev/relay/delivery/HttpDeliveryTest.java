package dev.relay.delivery;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.relay.catalog.OutgoingRequest;
import dev.relay.testing.EndlessResponder;
import dev.relay.testing.StandInDestination;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The HTTP client of delivery against real servers on loopback: address checks and bounded reads. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpDeliveryTest {

  private static final int EXCERPT = 2048;
  private static final int MAX_RESPONSE = 65_536;

  private ActorSystem<Void> system;
  private HttpDelivery allowingLoopback;
  private HttpDelivery strict;

  @BeforeAll
  void start() {
    system =
        ActorSystem.create(
            Behaviors.empty(),
            "http-delivery-test",
            ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    allowingLoopback = new HttpDelivery(system, AddressPolicy.allowing("127.0.0.0/8"), EXCERPT, MAX_RESPONSE, Duration.ofSeconds(10), 34);
    strict = new HttpDelivery(system, AddressPolicy.strict(), EXCERPT, MAX_RESPONSE, Duration.ofSeconds(10), 34);
    // The first request of a JVM sets up the client (HTTPS context, pool machinery): about 2 s here,
    // which would blur the timings the tests check.
    strict.send(post("http://127.0.0.1:9/warm-up", Map.of()), Duration.ofSeconds(10)).toCompletableFuture().exceptionally(f -> null).join();
  }

  @AfterAll
  void stop() {
    system.terminate();
  }

  private static OutgoingRequest post(String url, Map<String, String> headers) {
    return new OutgoingRequest("POST", url, headers, "{\"n\":1}");
  }

  private static Throwable failureOf(CompletableFuture<DeliveryResponse> sent) throws Exception {
    try {
      DeliveryResponse response = sent.get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + response);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void anEndlessBodyIsCutAtTheBoundAndItsConnectionDropped() throws Exception {
    try (EndlessResponder endless = EndlessResponder.fast()) {
      long started = System.nanoTime();
      Throwable failure = failureOf(allowingLoopback.send(post(endless.url("/stream"), Map.of()), Duration.ofSeconds(10)).toCompletableFuture());
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertInstanceOf(IOException.class, failure);
      assertTrue(failure.getMessage().contains("longer than 65536 bytes"), failure.getMessage());
      assertTrue(tookMs < 5_000, "cut at the bound, not at the 10 s timeout: " + tookMs + " ms");
      await(Duration.ofSeconds(5), "the client closes the connection", () -> endless.closedByClient() == 1);
      long written = endless.written();
      System.out.println("endless fast answer: failed after " + tookMs + " ms, server wrote " + written + " bytes");
      // Unread, the bytes pile up only in the sockets' buffers (a few MB on loopback).
      assertTrue(written < 16L * 1024 * 1024, "server wrote " + written + " bytes");
    }
  }

  @Test
  void aBodyStillStreamingAtTheTimeoutIsCancelledThen() throws Exception {
    try (EndlessResponder endless = EndlessResponder.slow(Duration.ofMillis(200))) {
      long started = System.nanoTime();
      Throwable failure = failureOf(allowingLoopback.send(post(endless.url("/drip"), Map.of()), Duration.ofMillis(1000)).toCompletableFuture());
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertInstanceOf(TimeoutException.class, failure);
      assertEquals("no complete answer within 1000 ms", failure.getMessage());
      assertTrue(tookMs >= 900 && tookMs < 3_000, "gave up after " + tookMs + " ms");
      await(Duration.ofSeconds(5), "the client closes the connection", () -> endless.closedByClient() == 1);
      long closedAfterMs = (endless.lastClosedAtNanos() - started) / 1_000_000;
      assertTrue(closedAfterMs < 3_000, "connection closed " + closedAfterMs + " ms after the start");
      long written = endless.written();
      Thread.sleep(300); // would the server still be writing? it must have stopped with the connection
      assertEquals(written, endless.written(), "nothing written after the close");
    }
  }

  /** What {@code delivery} makes of a stand-in's 200 answering {@code body}. */
  private static CompletableFuture<DeliveryResponse> answered(HttpDelivery delivery, StandInDestination standIn, String body) {
    standIn.alwaysAnswer(new StandInDestination.Answer(200, body, Map.of(), Duration.ZERO));
    return delivery.send(post(standIn.url("/ok"), Map.of()), Duration.ofSeconds(5)).toCompletableFuture();
  }

  @Test
  void aShortAnswerIsReadWholeAndKeptAsAnExcerpt() throws Exception {
    try (StandInDestination standIn = StandInDestination.start()) {
      String big = "{\"v\":\"" + "y".repeat(10_000) + "\"}";
      DeliveryResponse response = answered(allowingLoopback, standIn, big).get(10, TimeUnit.SECONDS);
      assertEquals(200, response.status());
      assertEquals(big.substring(0, EXCERPT), response.bodyExcerpt());
    }
  }

  @Test
  void anAnswerThatCameWholeIsStillBoundedByMaxResponseBytes() throws Exception {
    // A short answer comes in one piece with its head: the client takes it without a stream.
    HttpDelivery bounded = new HttpDelivery(system, AddressPolicy.allowing("127.0.0.0/8"), 10, 100, Duration.ofSeconds(10), 4);
    try (StandInDestination standIn = StandInDestination.start()) {
      String fits = "{\"v\":\"" + "a".repeat(90) + "\"}";
      DeliveryResponse response = answered(bounded, standIn, fits).get(10, TimeUnit.SECONDS);
      assertEquals(fits.substring(0, 10), response.bodyExcerpt());

      Throwable failure = failureOf(answered(bounded, standIn, "{\"v\":\"" + "b".repeat(200) + "\"}"));
      assertInstanceOf(IOException.class, failure);
      assertEquals(
          "answer (status 200) longer than 100 bytes: stopped reading it (relay.delivery.max-response-bytes)",
          failure.getMessage());
    }
  }

  @Test
  void loopbackIsRefusedBeforeConnectingWhetherLiteralOrByName() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      AtomicInteger accepted = new AtomicInteger();
      Thread acceptor = new Thread(() -> {
        while (!listener.isClosed()) {
          try (Socket socket = listener.accept()) {
            accepted.incrementAndGet();
          } catch (IOException closed) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      int port = listener.getLocalPort();
      for (String url : new String[] {"http://127.0.0.1:" + port + "/h", "http://localhost:" + port + "/h"}) {
        for (String method : new String[] {"POST", "PUT", "POST"}) {
          long started = System.nanoTime();
          Throwable failure =
              failureOf(strict.send(new OutgoingRequest(method, url, Map.of(), "{}"), Duration.ofSeconds(5)).toCompletableFuture());
          assertInstanceOf(AddressRefused.class, failure, url);
          long tookMs = (System.nanoTime() - started) / 1_000_000;
          assertTrue(tookMs < 2_000, method + " " + url + " refused after " + tookMs + " ms");
          assertTrue(
              failure.getMessage().matches("refused to connect to (127\\.0\\.0\\.1|0:0:0:0:0:0:0:1): loopback address; see relay\\.delivery\\.allowed-networks"),
              failure.getMessage());
        }
      }
      assertEquals(0, accepted.get(), "no connection was made");
    }
  }

  @Test
  void anAllowedNetworkIsReached() throws Exception {
    try (StandInDestination standIn = StandInDestination.start()) {
      DeliveryResponse response =
          allowingLoopback.send(post(standIn.url("/ok"), Map.of("X-A", "1")), Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(200, response.status());
      assertEquals("1", standIn.received().get(0).header("X-A"));
    }
  }

  @Test
  void aHeaderThatCannotBeSentFailsTheRequestWithoutItsValue() throws Exception {
    try (StandInDestination standIn = StandInDestination.start()) {
      Throwable failure =
          failureOf(allowingLoopback.send(post(standIn.url("/h"), Map.of("X-Token", "secret-value\r\nX-Evil: 1")), Duration.ofSeconds(5)).toCompletableFuture());
      assertEquals("cannot build request: header 'X-Token': the value must not contain control characters (such as CR or LF)", failure.getMessage());
      assertEquals(0, standIn.received().size());
    }
  }
}
