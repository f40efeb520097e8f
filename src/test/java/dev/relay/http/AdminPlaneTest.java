package dev.relay.http;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.testing.Backend;
import dev.relay.testing.NodePerClass;
import dev.relay.testing.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API on a port of its own, and its guard against token guessing, over real HTTP. Clients
 * at different addresses are sockets bound to 127.0.0.1 and 127.0.0.2 (both loopback on Linux).
 */
class AdminPlaneTest extends NodePerClass {

  private static final int MAX_FAILURES = 3;
  private static final Duration WINDOW = Duration.ofSeconds(3);

  @Override
  protected Backend backend() {
    return Backend.H2;
  }

  @Override
  protected Config nodeConfig() {
    return ConfigFactory.parseMap(
        Map.of(
            "relay.admin.port", 0,
            "relay.admin.max-failures", MAX_FAILURES,
            "relay.admin.failure-window", WINDOW.toMillis() + "ms"));
  }

  /** Status line and headers of a GET /api/destinations sent from {@code clientAddress}. */
  private record Raw(int status, String head) {
    String header(String name) {
      for (String line : head.split("\\r\\n")) {
        if (line.toLowerCase().startsWith(name.toLowerCase() + ":")) {
          return line.substring(name.length() + 1).trim();
        }
      }
      return null;
    }
  }

  private Raw getFrom(String clientAddress, String token) {
    try (Socket socket =
        new Socket(InetAddress.getByName("127.0.0.1"), node.node().adminPort(), InetAddress.getByName(clientAddress), 0)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /api/destinations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String head = response.substring(0, response.indexOf("\r\n\r\n"));
      return new Raw(Integer.parseInt(head.substring(9, 12)), head);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void withAnAdminPortTheApiIsServedThereAndNotOnTheIngestPort() {
    assertTrue(node.node().adminPort() != node.node().httpPort());
    TestNode.Answer onIngestPort = node.send(node.baseUrl(), "GET", "/api/destinations", null,
        Map.of("Authorization", "Bearer " + TestNode.ADMIN_TOKEN));
    assertEquals(404, onIngestPort.status(), onIngestPort.body());
    assertTrue(onIngestPort.json().has("error"), onIngestPort.body());

    TestNode.Answer onAdminPort = node.admin("GET", "/api/destinations");
    assertEquals(200, onAdminPort.status(), onAdminPort.body());
    String track = "{\"userId\": \"u-1\", \"event\": \"Signed Up\"}";
    TestNode.Answer ingestOnAdminPort = node.send(node.adminBaseUrl(), "POST", "/v1/track", track, Map.of());
    assertEquals(404, ingestOnAdminPort.status(), ingestOnAdminPort.body());
    // Ingest still answers on its own port (401: no write key).
    TestNode.Answer ingest = node.send(node.baseUrl(), "POST", "/v1/track", track, Map.of());
    assertEquals(401, ingest.status(), ingest.body());
  }

  @Test
  void repeatedWrongTokensFromOneAddressGet429UntilTheWindowEndsAndOtherAddressesAreServed() {
    for (int i = 0; i < MAX_FAILURES; i++) {
      assertEquals(401, getFrom("127.0.0.2", "wrong-" + i).status());
    }
    Raw throttled = getFrom("127.0.0.2", "wrong-again");
    assertEquals(429, throttled.status(), throttled.head());
    int retryAfter = Integer.parseInt(throttled.header("Retry-After"));
    assertTrue(retryAfter >= 1 && retryAfter <= WINDOW.toSeconds(), throttled.head());
    // Refused even with the right token while the window lasts, so guessing cannot go on.
    assertEquals(429, getFrom("127.0.0.2", TestNode.ADMIN_TOKEN).status());

    // Another address is not affected, and its success does not end the other's window.
    assertEquals(200, getFrom("127.0.0.1", TestNode.ADMIN_TOKEN).status());
    assertEquals(429, getFrom("127.0.0.2", TestNode.ADMIN_TOKEN).status());

    await(Duration.ofSeconds(10), "the window ends", () -> getFrom("127.0.0.2", TestNode.ADMIN_TOKEN).status() == 200);
  }

  @Test
  void aNodeDoesNotStartWithAnAdminTokenShorterThan32Characters(@TempDir Path otherDir) {
    try (Backend.Storage other = Backend.H2.open(otherDir)) {
      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> TestNode.start(other, ConfigFactory.parseMap(Map.of("relay.admin-token", "change-me"))));
      String message = refused.getCause().getMessage();
      assertTrue(message.contains("RELAY_ADMIN_TOKEN / relay.admin-token") && message.contains("at least 32"), message);
    }
  }
}
