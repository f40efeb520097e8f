package dev.relay.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a destination's backlog stays out of the heap (issue #11). One node (its own process,
 * {@code -Xmx2g}, a fresh PostgreSQL database) gets a source connected to one webhook destination
 * whose endpoint, a stand-in on loopback, answers 503:
 *
 * <ol>
 *   <li>{@code n1} events are ingested as fast as the node takes them, and once the node reports them
 *       pending: the live heap after a full GC in the node ({@code jcmd GC.run}, {@code GC.heap_info}),
 *       the largest snapshot and the journal's size;
 *   <li>the same once {@code n2} events in all are pending, and the heap's growth between the two;
 *   <li>the node is killed (SIGKILL), the stand-in turns to answering 200, the node is started again:
 *       the time from process start, and from ready, to the first delivery;
 *   <li>the drain: events/s every 10 s and overall until the backlog is empty, and whether the stand-in
 *       received every queued messageId (duplicates reported apart).
 * </ol>
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.relay.bench.BacklogBench n1 n2 [--batch-size=1] [--clients=8]
 *     [--drain-timeout=240m] [relay.some.key=value ...]</pre>
 *
 * Arguments {@code relay.x=y} reach the node as {@code -Drelay.x=y}.
 */
public final class BacklogBench {

  private static final String PREFIX = "b";
  private static final int PER_REQUEST = 100;
  private static final Path NODE_LOG = Path.of("target", "bench-node.log");
  private static final Pattern RECOVERED = Pattern.compile("Destination \\S+ (recovered with [^\\n]*)");

  private final LoadHarness harness;
  private final Standin standin;
  private final Map<String, String> summary = new LinkedHashMap<>();
  private String writeKey;
  private String destinationId;
  private long ingested;
  private long restartedAt;

  private BacklogBench(LoadHarness harness, Standin standin) {
    this.harness = harness;
    this.standin = standin;
  }

  public static void main(String[] args) throws Exception {
    List<Long> sizes = new ArrayList<>();
    List<String> nodeSettings = new ArrayList<>();
    int batchSize = 1;
    int clients = 8;
    long drainTimeoutMinutes = 240;
    for (String arg : args) {
      if (arg.startsWith("--batch-size=")) {
        batchSize = Integer.parseInt(arg.substring("--batch-size=".length()));
      } else if (arg.startsWith("--clients=")) {
        clients = Integer.parseInt(arg.substring("--clients=".length()));
      } else if (arg.startsWith("--drain-timeout=")) {
        drainTimeoutMinutes = Long.parseLong(arg.substring("--drain-timeout=".length()).replace("m", ""));
      } else if (arg.startsWith("relay.") && arg.contains("=")) {
        nodeSettings.add("-D" + arg);
      } else {
        sizes.add(Long.parseLong(arg.replace("_", "")));
      }
    }
    long n1 = sizes.size() > 0 ? sizes.get(0) : 1_000_000;
    long n2 = sizes.size() > 1 ? sizes.get(1) : 3_000_000;
    LoadHarness.check(n1 > 0 && n2 >= n1 && n2 < Integer.MAX_VALUE, "sizes: 0 < n1 <= n2");

    long started = System.nanoTime();
    Files.createDirectories(Path.of("target"));
    boolean complete;
    try (Standin standin = Standin.start((int) n2);
        LoadHarness harness = new LoadHarness(nodeSettings)) {
      BacklogBench bench = new BacklogBench(harness, standin);
      System.out.printf(
          "backlog bench: %,d then %,d events, webhook batchSize %d, %d ingest clients, node %s -Xmx2g %s, PostgreSQL %s%n",
          n1, n2, batchSize, clients, harness.jar, nodeSettings, harness.database);
      bench.summary.put("sizes", String.format("%,d / %,d events, batchSize %d", n1, n2, batchSize));
      bench.wire(batchSize);
      long heap1 = bench.fill(n1, clients);
      long heap2 = n2 > n1 ? bench.fill(n2, clients) : heap1;
      double growthMb = (heap2 - heap1) / 1048576.0;
      double perAction = n2 > n1 ? (double) (heap2 - heap1) / (n2 - n1) : 0.0;
      System.out.printf("live heap growth from %,d to %,d pending: %+.1f MB (%.0f bytes per added pending action)%n",
          n1, n2, growthMb, perAction);
      bench.summary.put("live heap growth", String.format("%+.1f MB, %s 64 MB (%.0f bytes per added pending action)",
          growthMb, growthMb < 64 ? "under" : "OVER", perAction));
      complete = bench.recover() && bench.drain(n2, TimeUnit.MINUTES.toNanos(drainTimeoutMinutes));
      bench.summary.put("bench run time", String.format("%.1f min", (System.nanoTime() - started) / 60e9));
      System.out.println();
      System.out.println("| measure | value |");
      System.out.println("|---|---|");
      bench.summary.forEach((name, value) -> System.out.printf("| %s | %s |%n", name, value));
    }
    if (!complete) {
      System.exit(1); // after the node is stopped and its database dropped
    }
  }

  private void wire(int batchSize) throws Exception {
    String source = harness.admin("POST", "/api/sources", "{\"name\":\"backlog\",\"type\":\"server\"}");
    String destination =
        harness.admin("POST", "/api/destinations",
            "{\"name\":\"backlog\",\"type\":\"webhook\",\"settings\":{\"url\":\"" + standin.url()
                + "\",\"batchSize\":" + batchSize + ",\"timeoutMs\":10000}}");
    destinationId = LoadHarness.field(destination, "id");
    harness.admin("PUT", "/api/destinations/" + destinationId + "/sources/" + LoadHarness.field(source, "id"), null);
    writeKey = LoadHarness.field(source, "writeKey");
  }

  /**
   * Ingests events up to {@code total}, waits until the node reports them all pending, and measures;
   * returns the live heap's bytes.
   */
  private long fill(long total, int clients) throws Exception {
    String label = String.format("%,d", total);
    long from = ingested;
    long start = System.nanoTime();
    AtomicLong next = new AtomicLong(from);
    AtomicLong accepted = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    ExecutorService senders = Executors.newFixedThreadPool(clients);
    List<Future<?>> running = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      running.add(senders.submit(() -> {
        for (long first = next.getAndAdd(PER_REQUEST); first < total; first = next.getAndAdd(PER_REQUEST)) {
          int count = (int) Math.min(PER_REQUEST, total - first);
          String body = LoadHarness.batch(PREFIX, first, count);
          // Not accepted (503 under load, or a reset connection): sent again, as an SDK would.
          while (true) {
            try {
              HttpResponse<String> response = harness.ingest(writeKey, body);
              if (response.statusCode() == 200) {
                break;
              }
              LoadHarness.check(response.statusCode() == 503, "ingest answered " + response.statusCode() + " " + response.body());
            } catch (IOException dropped) {
              // retried below
            }
            refused.incrementAndGet();
            LoadHarness.check(harness.node.isAlive(), "the node exited; see target/bench-node.log");
            Thread.sleep(200);
          }
          accepted.addAndGet(count);
        }
        return null;
      }));
    }
    senders.shutdown();
    long lastPrint = start;
    long lastCount = 0;
    while (!senders.awaitTermination(1, TimeUnit.SECONDS)) {
      long now = System.nanoTime();
      if (now - lastPrint >= 10_000_000_000L) {
        long count = accepted.get();
        System.out.printf("  ingest %5.0f s: %,d accepted (%,.0f events/s), %,d refused and sent again, pending %s%n",
            (now - start) / 1e9, from + count, (count - lastCount) / ((now - lastPrint) / 1e9), refused.get(),
            format(metric("relay_destination_actions_pending")));
        lastPrint = now;
        lastCount = count;
      }
    }
    for (Future<?> client : running) {
      client.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    ingested = total;
    System.out.printf("ingested %,d events (%,d to %,d) in %.1f s: %,.0f events/s; %,d requests refused and sent again%n",
        total - from, from, total, seconds, (total - from) / seconds, refused.get());
    summary.put("ingest to " + label, String.format("%,.0f events/s (%.0f s)", (total - from) / seconds, seconds));

    long waitStart = System.nanoTime();
    double pending = -1;
    while (System.nanoTime() - waitStart < 300_000_000_000L) {
      pending = metric("relay_destination_actions_pending");
      if (pending >= total) {
        break;
      }
      Thread.sleep(200);
    }
    double queued = metric("relay_destination_actions_queued_total");
    System.out.printf("node reports %s pending, %s queued, after %.1f s%n",
        format(pending), format(queued), (System.nanoTime() - waitStart) / 1e9);
    if (pending != total) {
      System.out.printf("WARNING: after 5 min the node reports %s pending, not %,d; measuring anyway%n", format(pending), total);
    }

    long live = liveHeap();
    long rss = rss();
    long[] snapshot = largestSnapshot();
    String storage = storage();
    System.out.printf("at %s pending: live heap after full GC %.1f MB, node RSS %.0f MB%n", label, live / 1048576.0, rss / 1048576.0);
    System.out.printf("at %s pending: %,d snapshots, the largest %,d bytes; %s%n", label, snapshot[0], snapshot[1], storage);
    summary.put("live heap at " + label, String.format("%.1f MB (RSS %.0f MB)", live / 1048576.0, rss / 1048576.0));
    summary.put("largest snapshot at " + label, String.format("%,d bytes", snapshot[1]));
    summary.put("database at " + label, storage);
    return live;
  }

  /** SIGKILL, the stand-in turns to 200, start again: the time to the first delivery; false if none came in 10 min. */
  private boolean recover() throws Exception {
    harness.killNode();
    Thread.sleep(500); // requests of the killed node still being read by the stand-in end with it, answered 503
    standin.accept();
    System.out.println("node killed (SIGKILL); the stand-in answers 200 now; starting the node again");
    long start = System.nanoTime();
    long logFrom = Files.size(NODE_LOG);
    harness.logLevel = "INFO"; // for the entity's own account of its recovery
    harness.node = harness.startNode();
    harness.awaitReady();
    long ready = System.nanoTime();
    System.out.printf("restart: ready %.2f s after process start%n", (ready - start) / 1e9);
    summary.put("recovery: process start → ready", String.format("%.2f s", (ready - start) / 1e9));
    while (standin.firstOkAt == 0) {
      LoadHarness.check(harness.node.isAlive(), "the restarted node exited; see target/bench-node.log");
      if (System.nanoTime() - start > 600_000_000_000L) {
        System.out.println("restart: NO delivery within 10 min (see target/bench-node.log)");
        summary.put("recovery: process start → first delivery", "NONE within 10 min");
        return false;
      }
      Thread.sleep(5);
    }
    double toFirst = (standin.firstOkAt - start) / 1e9;
    double readyToFirst = (standin.firstOkAt - ready) / 1e9;
    System.out.printf("restart: first delivery %.2f s after process start, %.2f s after ready%n", toFirst, readyToFirst);
    summary.put("recovery: process start → first delivery", String.format("%.2f s", toFirst));
    summary.put("recovery: ready → first delivery", String.format("%.2f s", readyToFirst));
    String entity = entityRecovery(logFrom);
    System.out.println("restart: the entity's log: " + entity);
    summary.put("recovery: the entity's own log", entity);
    restartedAt = start;
    return true;
  }

  /** The destination entity's "recovered with" line since {@code from} in the node's log (it follows the count). */
  private static String entityRecovery(long from) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (FileChannel channel = FileChannel.open(NODE_LOG)) {
        channel.position(from);
        String text = new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        Matcher line = RECOVERED.matcher(text);
        if (line.find()) {
          return line.group(1);
        }
      }
      Thread.sleep(200);
    }
    return "no \"recovered with\" line within 60 s";
  }

  /** Until every queued messageId has reached the stand-in and the node reports nothing pending; true if so. */
  private boolean drain(long total, long timeoutNanos) throws Exception {
    long start = standin.firstOkAt;
    long lastPrint = start;
    long lastDistinct = 0;
    double pending = -1;
    long allReceivedAt = 0;
    while (System.nanoTime() - start < timeoutNanos) {
      LoadHarness.check(harness.node.isAlive(), "the node exited during the drain; see target/bench-node.log");
      Thread.sleep(250);
      long now = System.nanoTime();
      long distinct = standin.distinct();
      if (distinct >= total) {
        pending = metric("relay_destination_actions_pending");
        allReceivedAt = allReceivedAt == 0 ? now : allReceivedAt;
        // Everything arrived; the node's count follows as the answers are journaled, or it is wrong.
        if (pending == 0 || now - allReceivedAt > 60_000_000_000L) {
          break;
        }
      }
      if (now - lastPrint >= 10_000_000_000L) {
        pending = metric("relay_destination_actions_pending");
        System.out.printf("  drain %5.0f s: %,d of %,d delivered (%,.0f events/s), pending %s, %,d duplicates%n",
            (now - start) / 1e9, distinct, total, (distinct - lastDistinct) / ((now - lastPrint) / 1e9),
            format(pending), standin.duplicates());
        lastPrint = now;
        lastDistinct = distinct;
      }
    }
    long distinct = standin.distinct();
    long duplicates = standin.duplicates();
    double seconds = (standin.lastNewAt - start) / 1e9;
    boolean complete = distinct == total && pending == 0;
    System.out.printf(
        "drain: %,d of %,d queued messageIds delivered in %.1f s from the first delivery: %,.0f events/s "
            + "(%.1f s and %,.0f events/s from the restart); %,d delivered again (duplicates); %,d requests answered 503 before the restart%n",
        distinct, total, seconds, distinct / seconds, (standin.lastNewAt - restartedAt) / 1e9,
        distinct / ((standin.lastNewAt - restartedAt) / 1e9), duplicates, standin.refusedRequests.get());
    summary.put("drain rate", String.format("%,.0f events/s (%.1f s)", distinct / seconds, seconds));
    summary.put("delivered == queued", String.format("%s: %,d of %,d distinct messageIds, %,d duplicates",
        distinct == total ? "yes" : "NO", distinct, total, duplicates));
    if (!complete) {
      System.out.printf("INCOMPLETE: %,d of %,d delivered, the node reports %s pending%n", distinct, total, format(pending));
    }
    return complete;
  }

  // ---------------------------------------------------------------------------------------------

  /** The destination's value of a per-destination metric on the node's /metrics; -1 when it has none. */
  private double metric(String name) throws Exception {
    HttpResponse<String> response;
    try {
      response = harness.http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harness.managementPort + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException notUp) {
      return -1;
    }
    for (String line : response.body().split("\n")) {
      if (line.startsWith(name + "{") && line.contains("destination=\"" + destinationId + "\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  private static String format(double value) {
    return value < 0 ? "n/a" : String.format("%,.0f", value);
  }

  /** A full GC in the node, then its heap in use: what is live. */
  private long liveHeap() throws Exception {
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
    LoadHarness.check(used.find(), "no heap use in: " + info);
    return Long.parseLong(used.group(1)) * 1024;
  }

  private String jcmd(String command) throws Exception {
    Process jcmd =
        new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(harness.node.pid()), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    LoadHarness.check(jcmd.waitFor() == 0, "jcmd " + command + " failed: " + out);
    return out;
  }

  private long rss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(harness.node.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    return -1;
  }

  /** {snapshots, bytes of the largest payload}. */
  private long[] largestSnapshot() throws Exception {
    try (Connection db = database(); Statement statement = db.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*), coalesce(max(octet_length(snapshot_payload)), 0) FROM snapshot")) {
      rows.next();
      return new long[] {rows.getLong(1), rows.getLong(2)};
    }
  }

  /** The journal's rows and size, the database's size and its three largest tables (whatever the schema version). */
  private String storage() throws Exception {
    try (Connection db = database(); Statement statement = db.createStatement()) {
      StringBuilder out = new StringBuilder();
      try (ResultSet rows = statement.executeQuery(
          "SELECT count(*), pg_total_relation_size('event_journal'), pg_database_size(current_database()) FROM event_journal")) {
        rows.next();
        out.append(String.format("journal %,d rows %,.0f MB, database %,.0f MB; largest tables:",
            rows.getLong(1), rows.getLong(2) / 1048576.0, rows.getLong(3) / 1048576.0));
      }
      try (ResultSet rows = statement.executeQuery(
          "SELECT relname, pg_total_relation_size(relid) FROM pg_stat_user_tables ORDER BY 2 DESC LIMIT 3")) {
        while (rows.next()) {
          out.append(String.format(" %s %,.0f MB", rows.getString(1), rows.getLong(2) / 1048576.0));
        }
      }
      return out.toString();
    }
  }

  private Connection database() throws Exception {
    return harness.connect();
  }

  /**
   * The destination's endpoint on loopback: answers 503 until {@link #accept()}, then 200, and from
   * then on marks the messageIds it receives (each {@code b-<n>}) to tell the distinct ones from
   * the ones received again.
   */
  static final class Standin implements AutoCloseable {
    private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\":\"" + PREFIX + "-(\\d+)\"");

    private final HttpServer server;
    private final BitSet seen;
    private long distinct;
    private long duplicates;
    private volatile boolean accepting;
    final AtomicLong refusedRequests = new AtomicLong();
    volatile long firstOkAt;
    volatile long lastNewAt;

    private Standin(HttpServer server, int size) {
      this.server = server;
      this.seen = new BitSet(size);
    }

    static Standin start(int size) throws IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
      Standin standin = new Standin(server, size);
      server.createContext("/", exchange -> {
        try (InputStream in = exchange.getRequestBody()) {
          String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          if (!standin.accepting) {
            standin.refusedRequests.incrementAndGet();
            exchange.sendResponseHeaders(503, -1);
            return;
          }
          standin.received(body);
          exchange.sendResponseHeaders(200, -1);
        } finally {
          exchange.close();
        }
      });
      server.setExecutor(Executors.newFixedThreadPool(64));
      server.start();
      return standin;
    }

    private void received(String body) {
      long now = System.nanoTime();
      Matcher id = MESSAGE_ID.matcher(body);
      synchronized (seen) {
        if (firstOkAt == 0) {
          firstOkAt = now;
        }
        while (id.find()) {
          int n = Integer.parseInt(id.group(1));
          if (seen.get(n)) {
            duplicates++;
          } else {
            seen.set(n);
            distinct++;
            lastNewAt = now;
          }
        }
      }
    }

    void accept() {
      accepting = true;
    }

    long distinct() {
      synchronized (seen) {
        return distinct;
      }
    }

    long duplicates() {
      synchronized (seen) {
        return duplicates;
      }
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    @Override
    public void close() {
      server.stop(0);
      ((ExecutorService) server.getExecutor()).shutdownNow();
    }
  }
}
