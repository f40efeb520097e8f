package dev.relay.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the load benchmarks share: a fresh PostgreSQL database, a Relay node started from
 * {@code target/relay.jar} as its own process, a fast destination on loopback that counts the events
 * it receives, and the admin calls to wire them. Everything on 127.0.0.1.
 */
final class LoadHarness implements AutoCloseable {

  static final String TOKEN = "bench-admin-token-0123456789abcdef";
  private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";

  final String database = "relay_bench_" + System.currentTimeMillis();
  /** {@code -Dbench.db=h2} runs the node on the embedded H2 (in a temporary data dir) instead of PostgreSQL. */
  final boolean h2 = System.getProperty("bench.db", "postgres").equals("h2");
  final Path dataDir;
  final int httpPort;
  final int managementPort;
  private final int remotePort;
  /** {@code -Dbench.jar=...} runs another build's jar (default {@code target/relay.jar} of the current directory). */
  final Path jar = Path.of(System.getProperty("bench.jar", "target/relay.jar")).toAbsolutePath();
  private final List<String> nodeSettings;
  volatile Process node;
  final FastDestination destination;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** The node's log level from its next start (its output goes to target/bench-node.log). */
  String logLevel = "WARN";

  LoadHarness() throws Exception {
    this(List.of());
  }

  /** A harness whose node also gets {@code nodeSettings} (JVM options such as {@code -Drelay.x=y}). */
  LoadHarness(List<String> nodeSettings) throws Exception {
    this.nodeSettings = List.copyOf(nodeSettings);
    dataDir = Files.createTempDirectory("relay-bench");
    if (!h2) {
      try (Connection admin = DriverManager.getConnection(PG + "postgres", "postgres", "");
          Statement statement = admin.createStatement()) {
        statement.execute("CREATE DATABASE " + database);
      }
    }
    int[] ports = freePorts(3);
    httpPort = ports[0];
    managementPort = ports[1];
    remotePort = ports[2];
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: build it first (mvn -B -q package -DskipTests)");
    }
    node = startNode();
    try {
      awaitReady();
    } catch (Exception notStarted) {
      node.destroyForcibly();
      dropDatabase();
      throw notStarted;
    }
    destination = FastDestination.start();
  }

  /**
   * Starts the node process on this harness's database and ports (after {@link #killNode()}, a
   * restart); does not wait for it to be ready.
   */
  Process startNode() throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g"));
    // Extra JVM options or -Dkey=value settings for the node, e.g. -Dbench.node="-Drelay.delivery.max-in-flight=64".
    String extra = System.getProperty("bench.node", "").strip();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.addAll(nodeSettings);
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "bench-node.log").toFile()));
    if (h2) {
      builder.environment().put("RELAY_DATA_DIR", dataDir.toString());
    } else {
      builder.environment().put("RELAY_DB_URL", PG + database);
      builder.environment().put("RELAY_DB_USER", "postgres");
    }
    builder.environment().put("RELAY_ALLOWED_NETWORKS", "127.0.0.0/8");
    builder.environment().put("RELAY_ADMIN_TOKEN", TOKEN);
    builder.environment().put("RELAY_HTTP_PORT", String.valueOf(httpPort));
    builder.environment().put("RELAY_MANAGEMENT_PORT", String.valueOf(managementPort));
    builder.environment().put("RELAY_REMOTE_PORT", String.valueOf(remotePort));
    builder.environment().put("RELAY_LOG_LEVEL", logLevel);
    return builder.start();
  }

  /** SIGKILL: the node gets no chance to hand over or flush anything. */
  void killNode() throws InterruptedException {
    node.destroyForcibly();
    node.waitFor();
  }

  void awaitReady() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      if (!node.isAlive()) {
        throw new IllegalStateException("node exited with " + node.exitValue() + "; see target/bench-node.log");
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("node not ready; see target/bench-node.log");
  }

  String admin(String method, String path, String body) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + " → " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  static String field(String json, String name) {
    Matcher matcher = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
    if (!matcher.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return matcher.group(1);
  }

  /** Creates a source and a webhook destination to the fast destination, connected; returns {writeKey, destinationId}. */
  String[] wire(int batchSize) throws Exception {
    String source = admin("POST", "/api/sources", "{\"name\":\"bench\",\"type\":\"server\"}");
    String destination =
        admin("POST", "/api/destinations",
            "{\"name\":\"bench\",\"type\":\"webhook\",\"settings\":{\"url\":\"" + this.destination.url()
                + "\",\"batchSize\":" + batchSize + ",\"timeoutMs\":120000}}");
    String destinationId = field(destination, "id");
    admin("PUT", "/api/destinations/" + destinationId + "/sources/" + field(source, "id"), null);
    return new String[] {field(source, "writeKey"), destinationId};
  }

  /** One source connected to {@code count} webhook destinations to the fast destination; returns the write key. */
  String wireMany(int count, int batchSize) throws Exception {
    String source = admin("POST", "/api/sources", "{\"name\":\"bench\",\"type\":\"server\"}");
    for (int i = 0; i < count; i++) {
      String destination =
          admin("POST", "/api/destinations",
              "{\"name\":\"bench-" + i + "\",\"type\":\"webhook\",\"settings\":{\"url\":\"" + this.destination.url()
                  + "\",\"batchSize\":" + batchSize + ",\"timeoutMs\":120000}}");
      admin("PUT", "/api/destinations/" + field(destination, "id") + "/sources/" + field(source, "id"), null);
    }
    return field(source, "writeKey");
  }

  /** A batch request body of {@code count} realistic track calls with unique messageIds. */
  static String batch(String prefix, long first, int count) {
    StringBuilder body = new StringBuilder(count * 420).append("{\"batch\":[");
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        body.append(',');
      }
      long n = first + i;
      body.append("{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"user-").append(n % 5000)
          .append("\",\"messageId\":\"").append(prefix).append('-').append(n)
          .append("\",\"timestamp\":\"2026-11-29T10:00:00.000Z\",\"properties\":{\"order_id\":\"o-").append(n)
          .append("\",\"revenue\":129.5,\"currency\":\"EUR\",\"products\":[{\"sku\":\"A-1\",\"price\":99.5,\"quantity\":1},")
          .append("{\"sku\":\"B-2\",\"price\":15,\"quantity\":2}]},\"context\":{\"ip\":\"203.0.113.7\",\"library\":{\"name\":\"bench\",\"version\":\"1.0\"}}}");
    }
    return body.append("],\"sentAt\":\"2026-11-29T10:00:00.000Z\"}").toString();
  }

  HttpResponse<String> ingest(String writeKey, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v1/batch"))
            .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A connection to the bench's PostgreSQL database. */
  Connection connect() throws SQLException {
    return DriverManager.getConnection(PG + database, "postgres", "");
  }

  /** Journal and tag rows of one destination's events. */
  long[] journalRows(String destinationId) throws SQLException {
    try (Connection db = connect();
        Statement statement = db.createStatement()) {
      String pid = "'Destination|" + destinationId + "'";
      var rows = statement.executeQuery("SELECT count(*) FROM event_journal WHERE persistence_id = " + pid);
      rows.next();
      long journal = rows.getLong(1);
      rows = statement.executeQuery(
          "SELECT count(*) FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id WHERE j.persistence_id = " + pid);
      rows.next();
      return new long[] {journal, rows.getLong(1)};
    }
  }

  static int[] freePorts(int count) throws IOException {
    int[] ports = new int[count];
    ServerSocket[] sockets = new ServerSocket[count];
    for (int i = 0; i < count; i++) {
      sockets[i] = new ServerSocket(0);
      ports[i] = sockets[i].getLocalPort();
    }
    for (ServerSocket socket : sockets) {
      socket.close();
    }
    return ports;
  }

  @Override
  public void close() throws Exception {
    destination.close();
    node.destroy();
    if (!node.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      node.destroyForcibly().waitFor(); // e.g. out of memory and no longer shutting down
    }
    if (h2) {
      try (var files = Files.walk(dataDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
      return;
    }
    dropDatabase();
  }

  private void dropDatabase() throws SQLException {
    if (h2) {
      return;
    }
    if (Boolean.getBoolean("bench.keep-db")) {
      // -Dbench.keep-db=true: a filled database to start nodes on again by hand (RELAY_DB_URL).
      System.out.println("kept the database " + PG + database + " (-Dbench.keep-db); drop it when done");
      return;
    }
    try (Connection admin = DriverManager.getConnection(PG + "postgres", "postgres", "");
        Statement statement = admin.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  /**
   * A destination that answers 200 at once and counts the events it gets (messageIds in the body).
   * It can hold every answer until released, so a backlog builds up inside Relay first.
   */
  static final class FastDestination implements AutoCloseable {
    private final HttpServer server;
    final AtomicLong events = new AtomicLong();
    final AtomicLong requests = new AtomicLong();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    /** Told of every request body as it is answered, if set. */
    volatile Receiver receiver;
    volatile long firstAt;
    volatile long lastAt;

    interface Receiver {
      /** A request's body, received at {@code at} (System.nanoTime). */
      void received(String body, long at);
    }

    private FastDestination(HttpServer server) {
      this.server = server;
    }

    static FastDestination start() throws IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
      FastDestination destination = new FastDestination(server);
      server.createContext("/", exchange -> {
        try (InputStream in = exchange.getRequestBody()) {
          String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          destination.gate.await();
          int count = 0;
          for (int at = body.indexOf("\"messageId\""); at >= 0; at = body.indexOf("\"messageId\"", at + 1)) {
            count++;
          }
          long now = System.nanoTime();
          if (destination.events.getAndAdd(count) == 0) {
            destination.firstAt = now;
          }
          destination.lastAt = now;
          destination.requests.incrementAndGet();
          Receiver receiver = destination.receiver;
          if (receiver != null) {
            receiver.received(body, now);
          }
          exchange.sendResponseHeaders(200, -1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          exchange.close();
        }
      });
      server.setExecutor(Executors.newFixedThreadPool(64));
      server.start();
      return destination;
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
    }

    void hold() {
      gate = new CountDownLatch(1);
    }

    void release() {
      gate.countDown();
    }

    @Override
    public void close() {
      release();
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
  }

  static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }

}
