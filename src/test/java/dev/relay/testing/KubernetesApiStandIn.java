package dev.relay.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The one call of the Kubernetes API that Pekko's Kubernetes discovery makes, on loopback over
 * HTTPS: {@code GET /api/v1/namespaces/{namespace}/pods?labelSelector=...} with the service
 * account's bearer token, answered with a {@code PodList} of the pods registered here whose labels
 * match the selector, as the API server does. Anything else (another path, namespace or token) is
 * refused with the status the API server would give.
 *
 * <p>It writes what a pod finds under {@code /var/run/secrets/kubernetes.io/serviceaccount}: the CA
 * certificate, the token and the namespace, into {@link #serviceAccountDirectory()}.
 */
public final class KubernetesApiStandIn implements AutoCloseable {

  /** A pod as the listing shows it: its IP and its container's named ports. */
  public record Pod(String name, String ip, Map<String, String> labels, Map<String, Integer> ports) {}

  /** A pod listing as it was asked for. */
  public record Query(String namespace, String labelSelector, String token) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpsServer server;
  private final String namespace;
  private final String token;
  private final Path serviceAccount;
  private final Map<String, Pod> pods = new ConcurrentHashMap<>();
  private final List<Query> queries = new CopyOnWriteArrayList<>();

  private KubernetesApiStandIn(HttpsServer server, String namespace, String token, Path serviceAccount) {
    this.server = server;
    this.namespace = namespace;
    this.token = token;
    this.serviceAccount = serviceAccount;
  }

  /** Starts on 127.0.0.1 with a fresh self-signed certificate; the service account files go into {@code directory}. */
  public static KubernetesApiStandIn start(Path directory, String namespace) {
    try {
      SelfSignedCertificate certificate = SelfSignedCertificate.create(directory, "kubernetes", List.of("127.0.0.1"));
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(certificate.keyStore(), certificate.password());
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(keys.getKeyManagers(), null, null);

      Path serviceAccount = Files.createDirectories(directory.resolve("serviceaccount"));
      certificate.writeCertificatePem(serviceAccount.resolve("ca.crt"));
      String token = "stand-in-token-" + Long.toHexString(System.nanoTime());
      Files.writeString(serviceAccount.resolve("token"), token);
      Files.writeString(serviceAccount.resolve("namespace"), namespace);

      HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
      server.setHttpsConfigurator(new HttpsConfigurator(tls));
      KubernetesApiStandIn api = new KubernetesApiStandIn(server, namespace, token, serviceAccount);
      server.createContext("/", api::handle);
      server.setExecutor(Executors.newFixedThreadPool(4));
      server.start();
      return api;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the Kubernetes API stand-in", e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Holds {@code ca.crt}, {@code token} and {@code namespace}, as a pod's service account mount. */
  public Path serviceAccountDirectory() {
    return serviceAccount;
  }

  /** The pod is listed from now on (the phase is Running: its container has started). */
  public void add(Pod pod) {
    pods.put(pod.name(), pod);
  }

  /** The pod is no longer listed, as after its deletion. */
  public void remove(String podName) {
    pods.remove(podName);
  }

  /** Every pod listing answered so far. */
  public List<Query> queries() {
    return List.copyOf(queries);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (!("Bearer " + token).equals(authorization)) {
        answer(exchange, 401, status("Unauthorized", 401));
        return;
      }
      String prefix = "/api/v1/namespaces/";
      if (!"GET".equals(exchange.getRequestMethod()) || !path.startsWith(prefix) || !path.endsWith("/pods")) {
        answer(exchange, 404, status("NotFound", 404));
        return;
      }
      String asked = path.substring(prefix.length(), path.length() - "/pods".length());
      if (!asked.equals(namespace)) {
        // The service account's Role grants pods in its own namespace only.
        answer(exchange, 403, status("Forbidden", 403));
        return;
      }
      String selector = queryParameter(exchange, "labelSelector");
      queries.add(new Query(asked, selector, token));
      answer(exchange, 200, podList(selector));
    }
  }

  private ObjectNode podList(String selector) {
    ObjectNode list = JSON.createObjectNode().put("kind", "PodList").put("apiVersion", "v1");
    list.putObject("metadata").put("resourceVersion", "1");
    ArrayNode items = list.putArray("items");
    pods.values().stream().filter(pod -> matches(selector, pod.labels())).forEach(pod -> {
      ObjectNode item = items.addObject();
      ObjectNode metadata = item.putObject("metadata").put("name", pod.name()).put("namespace", namespace);
      pod.labels().forEach(metadata.putObject("labels")::put);
      ArrayNode ports = item.putObject("spec").putArray("containers").addObject().put("name", "relay").putArray("ports");
      pod.ports().forEach((name, port) -> ports.addObject().put("name", name).put("containerPort", port).put("protocol", "TCP"));
      ObjectNode status = item.putObject("status").put("phase", "Running").put("podIP", pod.ip());
      status.putArray("podIPs").addObject().put("ip", pod.ip());
      status.putArray("containerStatuses").addObject().put("name", "relay").put("ready", false)
          .putObject("state").putObject("running").put("startedAt", "2026-01-01T00:00:00Z");
    });
    return list;
  }

  /** Equality-based selectors ({@code a=b,c=d}), the kind Kubernetes discovery sends. */
  private static boolean matches(String selector, Map<String, String> labels) {
    if (selector == null || selector.isBlank()) {
      return true;
    }
    return Arrays.stream(selector.split(",")).allMatch(term -> {
      String[] pair = term.split("==?", 2);
      return pair.length == 2 && pair[1].trim().equals(labels.get(pair[0].trim()));
    });
  }

  private static String queryParameter(HttpExchange exchange, String name) {
    String query = exchange.getRequestURI().getRawQuery();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      String[] kv = pair.split("=", 2);
      if (URLDecoder.decode(kv[0], StandardCharsets.UTF_8).equals(name)) {
        return kv.length == 2 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
      }
    }
    return null;
  }

  private static ObjectNode status(String reason, int code) {
    return JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
        .put("reason", reason).put("code", code);
  }

  private static void answer(HttpExchange exchange, int status, ObjectNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
