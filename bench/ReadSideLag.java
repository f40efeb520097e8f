// Read-side lag benchmark: how long after an event is journaled it can be found through the
// action journal API. See bench/README.md for how to run it and what it measures.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import dev.relay.RelayConfig;
import dev.relay.RelayNode;
import dev.relay.destination.DestinationEntity;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

public class ReadSideLag {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String TOKEN = "bench-admin-token-0123456789abcdef";

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    int rate = Integer.parseInt(opts.getOrDefault("rate", "5000"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "60"));
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "10"));
    int destinations = Integer.parseInt(opts.getOrDefault("destinations", "8"));
    int batchSize = Integer.parseInt(opts.getOrDefault("batch-size", "100"));
    int tickMs = Integer.parseInt(opts.getOrDefault("tick-ms", "20"));
    boolean postgres = opts.getOrDefault("db", "h2").equals("postgres");
    boolean viaSql = opts.getOrDefault("poll", "api").equals("sql");

    HttpServer standIn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
    standIn.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] ok = "{\"ok\":true}".getBytes();
      exchange.sendResponseHeaders(200, ok.length);
      exchange.getResponseBody().write(ok);
      exchange.close();
    });
    standIn.setExecutor(Executors.newFixedThreadPool(4));
    standIn.start();

    Path dataDir = Files.createTempDirectory("relay-bench");
    String database = null;
    Map<String, Object> config = new HashMap<>(Map.of(
        "relay.data-dir", dataDir.toString(),
        "relay.http.port", 0,
        "relay.http.interface", "127.0.0.1",
        "relay.admin-token", TOKEN,
        "pekko.remote.artery.canonical.port", 0,
        "pekko.management.http.port", 0,
        // The stand-in destination is on loopback, which destinations may not reach by default.
        "relay.delivery.allowed-networks", "127.0.0.0/8",
        "pekko.loglevel", "WARNING"));
    if (postgres) {
      database = "relay_bench_" + System.currentTimeMillis();
      try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
        admin.createStatement().execute("CREATE DATABASE " + database);
        if (opts.containsKey("explain-slow")) { // plans of statements slower than this go to the server log
          admin.createStatement().execute("ALTER DATABASE " + database + " SET session_preload_libraries = 'auto_explain'");
          admin.createStatement().execute("ALTER DATABASE " + database + " SET auto_explain.log_min_duration = '" + opts.get("explain-slow") + "'");
        }
      }
      config.put("relay.db.url", "jdbc:postgresql://127.0.0.1:5432/" + database);
      config.put("relay.db.user", "postgres");
    }
    RelayNode node = RelayNode.start(RelayConfig.load(ConfigFactory.parseMap(config))).toCompletableFuture().get(60, TimeUnit.SECONDS);
    String api = "http://127.0.0.1:" + node.httpPort();
    boolean stats = opts.containsKey("sql-stats") && !postgres;
    if (stats) { // H2 only: which statements the run spent database time on
      try (Connection c = node.database().dataSource().getConnection()) {
        c.createStatement().execute("SET QUERY_STATISTICS TRUE");
        c.createStatement().execute("SET QUERY_STATISTICS_MAX_ENTRIES 500");
      }
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    List<String> ids = new ArrayList<>();
    List<EntityRef<DestinationEntity.Command>> refs = new ArrayList<>();
    for (int d = 0; d < destinations; d++) {
      ObjectNode body = JSON.createObjectNode().put("name", "bench " + d).put("type", "webhook");
      body.putObject("settings").put("url", "http://127.0.0.1:" + standIn.getAddress().getPort() + "/hook").put("batchSize", batchSize);
      JsonNode created = JSON.readTree(send(http, api, "POST", "/api/destinations", body.toString()).body());
      ids.add(created.path("id").asText());
      refs.add(ClusterSharding.get(node.system()).entityRefFor(DestinationEntity.TYPE_KEY, created.path("id").asText()));
    }

    int perDestination = rate * seconds / destinations + rate;
    List<AtomicLongArray> journaledAt = new ArrayList<>();
    for (int d = 0; d < destinations; d++) {
      journaledAt.add(new AtomicLongArray(perDestination));
    }
    long[] sent = new long[destinations];
    AtomicLong acked = new AtomicLong();
    long[] lagBuckets = new long[600_001]; // ms → count, after warm-up
    AtomicLong measured = new AtomicLong();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    long warmEnd = start + TimeUnit.SECONDS.toNanos(warmup);
    String runId = Long.toString(System.currentTimeMillis(), 36);

    // Sender: every tick (20 ms), each destination gets its share of events in one Accept (as ingest's
    // micro-batches do). An event's journaled time is when its Accept is answered: after the write.
    Thread sender = new Thread(() -> {
      long tick = 0;
      double owed = 0;
      while (System.nanoTime() < end) {
        long due = start + tick * tickMs * 1_000_000L;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          try { TimeUnit.NANOSECONDS.sleep(wait); } catch (InterruptedException e) { return; }
        }
        owed += rate * tickMs / 1000.0 / destinations;
        int n = (int) owed;
        owed -= n;
        for (int d = 0; d < destinations && n > 0; d++) {
          List<ObjectNode> events = new ArrayList<>(n);
          long first = sent[d];
          for (int i = 0; i < n; i++) {
            ObjectNode event = JsonNodeFactory.instance.objectNode();
            event.put("type", "track").put("event", "Bench Event").put("userId", "user-" + (sent[d] % 1000))
                .put("messageId", "b-" + runId + "-" + d + "-" + sent[d]).put("timestamp", Instant.now().toString());
            event.putObject("properties").put("n", sent[d]).put("plan", "pro");
            events.add(event);
            sent[d]++;
          }
          int dest = d;
          AtomicLongArray times = journaledAt.get(d);
          refs.get(d).<StatusReply<DestinationEntity.Accepted>>ask(
                  replyTo -> new DestinationEntity.Accept(
                      events.stream().map(e -> new DestinationEntity.Incoming("src_bench", e)).toList(), replyTo),
                  Duration.ofSeconds(30))
              .whenComplete((reply, failure) -> {
                long now = System.nanoTime();
                if (failure == null) {
                  for (long s = first; s < first + events.size(); s++) {
                    times.set((int) s, now);
                  }
                  acked.addAndGet(events.size());
                } else {
                  System.err.println("accept failed on " + ids.get(dest) + ": " + failure);
                }
              });
        }
        tick++;
      }
    }, "sender");

    // Poller: the newest action of each destination, through the API (the same index-served query
    // an operator's first page is). Events of one destination are projected in order, so every
    // event up to the newest visible one is queryable; its lag is now minus its journaled time.
    long[] visible = new long[destinations];
    Arrays.fill(visible, -1);
    Thread poller = new Thread(() -> {
      while (System.nanoTime() < end + TimeUnit.SECONDS.toNanos(10)) {
        for (int d = 0; d < destinations; d++) {
          try {
            String messageId;
            long now;
            if (viaSql) {
              messageId = newestBySql(node, ids.get(d));
              now = System.nanoTime();
              if (messageId == null) continue;
            } else {
              HttpResponse<String> page = send(http, api, "GET", "/api/destinations/" + ids.get(d) + "/journal?limit=1", null);
              now = System.nanoTime();
              JsonNode items = JSON.readTree(page.body()).path("items");
              if (items.size() == 0) continue;
              messageId = items.get(0).path("messageId").asText();
            }
            long newest = Long.parseLong(messageId.substring(messageId.lastIndexOf('-') + 1));
            AtomicLongArray times = journaledAt.get(d);
            for (long s = visible[d] + 1; s <= newest; s++) {
              long at = times.get((int) s);
              if (at == 0) at = now; // queryable before the harness even saw the write answered
              if (at >= warmEnd && at <= end) {
                lagBuckets[(int) Math.min(lagBuckets.length - 1, (now - at) / 1_000_000)]++;
                measured.incrementAndGet();
              }
            }
            visible[d] = Math.max(visible[d], newest);
          } catch (Exception e) {
            System.err.println("poll failed: " + e);
          }
        }
        if (Arrays.stream(visible).sum() + destinations == Arrays.stream(sent).sum() && System.nanoTime() > end) break;
        try { Thread.sleep(20); } catch (InterruptedException e) { return; } // a round every ~20 ms
      }
    }, "poller");

    sender.start();
    poller.start();
    sender.join();
    long sentTotal = Arrays.stream(sent).sum();
    poller.join();
    long visibleTotal = Arrays.stream(visible).sum() + destinations;
    // Events never seen within 10 s of the end count as slower than anything measured, so that they
    // cannot flatter the percentiles by their absence.
    long unseen = 0;
    for (int d = 0; d < destinations; d++) {
      for (long s = visible[d] + 1; s < sent[d]; s++) {
        long at = journaledAt.get(d).get((int) s);
        if (at >= warmEnd && at <= end) {
          lagBuckets[lagBuckets.length - 1]++;
          unseen++;
        }
      }
      if (visible[d] + 1 < sent[d]) {
        System.out.printf("destination %s: %d of %d queryable%n", ids.get(d), visible[d] + 1, sent[d]);
      }
    }

    System.out.println();
    System.out.printf("database:           %s%n", postgres ? "PostgreSQL" : "H2");
    System.out.printf("offered rate:       %d events/s for %d s over %d destinations (one Accept each per %d ms, webhook batchSize %d)%n", rate, seconds, destinations, tickMs, batchSize);
    System.out.printf("events journaled:   %d (%.0f/s)%n", acked.get(), acked.get() / (double) seconds);
    System.out.printf("events queryable:   %d of %d sent%n", visibleTotal, sentTotal);
    System.out.printf("lag measured over:  %d events (after %d s warm-up), %d of them not queryable within 10 s%n", measured.get() + unseen, warmup, unseen);
    System.out.printf("lag p50/p95/p99/max: %d / %d / %d / %d ms%n",
        percentile(lagBuckets, 0.50), percentile(lagBuckets, 0.95), percentile(lagBuckets, 0.99), percentile(lagBuckets, 1.0));

    if (stats) {
      try (Connection c = node.database().dataSource().getConnection();
          var rows = c.createStatement().executeQuery(
              "SELECT EXECUTION_COUNT, CUMULATIVE_EXECUTION_TIME, SQL_STATEMENT FROM INFORMATION_SCHEMA.QUERY_STATISTICS"
                  + " ORDER BY CUMULATIVE_EXECUTION_TIME DESC LIMIT 12")) {
        System.out.println("H2 statements by total time (count, ms, sql):");
        while (rows.next()) {
          System.out.printf("  %8d %9.0f  %s%n", rows.getLong(1), rows.getDouble(2), rows.getString(3).replaceAll("\\s+", " "));
        }
      }
    }
    node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    standIn.stop(0);
    ((java.util.concurrent.ExecutorService) standIn.getExecutor()).shutdownNow();
    if (database != null) {
      try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
        admin.createStatement().execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
    System.exit(0);
  }

  /** The newest action's messageId with the SQL the journal API runs, straight on the read-side pool. */
  static String newestBySql(RelayNode node, String destinationId) throws Exception {
    try (Connection connection = node.database().dataSource().getConnection();
        var select = connection.prepareStatement(
            "SELECT message_id FROM journal_item WHERE destination_id = ? ORDER BY destination_id DESC, queued_at DESC, seq DESC LIMIT 1")) {
      select.setString(1, destinationId);
      try (var rows = select.executeQuery()) {
        String id = rows.next() ? rows.getString(1) : null;
        connection.rollback();
        return id;
      }
    }
  }

  static long percentile(long[] buckets, double q) {
    long total = Arrays.stream(buckets).sum();
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int ms = 0; ms < buckets.length; ms++) {
      seen += buckets[ms];
      if (seen >= rank) return ms;
    }
    return -1;
  }

  static HttpResponse<String> send(HttpClient http, String api, String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) throw new IllegalArgumentException("options are --name=value: " + arg);
      opts.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    return opts;
  }
}
