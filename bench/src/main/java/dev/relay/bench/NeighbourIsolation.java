package dev.relay.bench;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a destination's trouble slows a healthy neighbour on the same host: one source feeds a
 * healthy webhook at a steady rate; the healthy destination's delivery latency (ingest request sent
 * → event received) and ingest latency are measured alone, then again once two neighbours on the
 * same host and port are connected to the same source, one that hangs for 10 s per request and one
 * that answers 503. Prints p50/p99 of both phases and the ratios.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.relay.bench.NeighbourIsolation [events/s] [seconds]</pre>
 */
public final class NeighbourIsolation {

  private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\":\"([^\"]+)\"");

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    List<Long> delivery = Collections.synchronizedList(new ArrayList<>());
    HttpServer host = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
    ExecutorService hostThreads = Executors.newCachedThreadPool();
    host.setExecutor(hostThreads);
    host.createContext("/healthy", exchange -> {
      long now = System.nanoTime();
      Matcher id = MESSAGE_ID.matcher(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      while (id.find()) {
        Long sent = sentAt.remove(id.group(1));
        if (sent != null) {
          delivery.add(now - sent);
        }
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    host.createContext("/hang", exchange -> {
      exchange.getRequestBody().readAllBytes();
      try {
        Thread.sleep(10_000);
        exchange.sendResponseHeaders(200, -1);
      } catch (InterruptedException | java.io.IOException gone) {
        // the node stopped waiting, or the bench ended
      }
      exchange.close();
    });
    host.createContext("/fail", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(503, -1);
      exchange.close();
    });
    host.start();
    String base = "http://127.0.0.1:" + host.getAddress().getPort();

    try (LoadHarness harness = new LoadHarness()) {
      String source = harness.admin("POST", "/api/sources", "{\"name\":\"bench\",\"type\":\"server\"}");
      String sourceId = LoadHarness.field(source, "id");
      String writeKey = LoadHarness.field(source, "writeKey");
      connect(harness, sourceId, base + "/healthy", 1000);

      // Warm-up, then alone, then with the bad neighbours.
      run(harness, writeKey, rate, 5, "w", sentAt, delivery, new ArrayList<>());
      delivery.clear();
      List<Long> ingestAlone = new ArrayList<>();
      run(harness, writeKey, rate, seconds, "a", sentAt, delivery, ingestAlone);
      List<Long> deliveryAlone = new ArrayList<>(delivery);
      delivery.clear();

      connect(harness, sourceId, base + "/hang", 60_000);
      connect(harness, sourceId, base + "/fail", 10_000);
      List<Long> ingestNeighbours = new ArrayList<>();
      run(harness, writeKey, rate, seconds, "n", sentAt, delivery, ingestNeighbours);
      List<Long> deliveryNeighbours = new ArrayList<>(delivery);

      System.out.printf("%d events/s for %d s per phase, one host, %s%n", rate, seconds, harness.h2 ? "H2" : "PostgreSQL");
      report("healthy delivery", deliveryAlone, deliveryNeighbours);
      report("ingest request", ingestAlone, ingestNeighbours);
    } finally {
      host.stop(0);
      hostThreads.shutdownNow();
    }
  }

  private static void connect(LoadHarness harness, String sourceId, String url, int timeoutMs) throws Exception {
    String destination =
        harness.admin("POST", "/api/destinations",
            "{\"name\":\"" + url + "\",\"type\":\"webhook\",\"settings\":{\"url\":\"" + url + "\",\"timeoutMs\":" + timeoutMs + "}}");
    harness.admin("PUT", "/api/destinations/" + LoadHarness.field(destination, "id") + "/sources/" + sourceId, null);
  }

  /** {@code rate} events a second for {@code seconds}, in 20 requests a second; waits for the healthy deliveries. */
  private static void run(
      LoadHarness harness, String writeKey, int rate, int seconds, String prefix, Map<String, Long> sentAt,
      List<Long> delivery, List<Long> ingest) throws Exception {
    int perRequest = Math.max(1, rate / 20);
    ExecutorService clients = Executors.newFixedThreadPool(8);
    List<Future<?>> sent = new ArrayList<>();
    long start = System.nanoTime();
    long events = 0;
    for (int request = 0; request < seconds * 20; request++) {
      long due = start + request * 50_000_000L;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      long first = events;
      events += perRequest;
      sent.add(clients.submit(() -> {
        String body = LoadHarness.batch(prefix, first, perRequest);
        long at = System.nanoTime();
        for (long n = first; n < first + perRequest; n++) {
          sentAt.put(prefix + "-" + n, at);
        }
        HttpResponse<String> response = harness.ingest(writeKey, body);
        synchronized (ingest) {
          ingest.add(System.nanoTime() - at);
        }
        LoadHarness.check(response.statusCode() == 200, "ingest failed: " + response.statusCode() + " " + response.body());
        return null;
      }));
    }
    for (Future<?> response : sent) {
      response.get();
    }
    clients.shutdown();
    long expected = events;
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (delivery.size() < expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    LoadHarness.check(delivery.size() >= expected, "only " + delivery.size() + " of " + expected + " delivered");
  }

  private static void report(String what, List<Long> alone, List<Long> neighbours) {
    double[] a = percentiles(alone);
    double[] n = percentiles(neighbours);
    System.out.printf(
        "%s: alone p50 %.1f ms p99 %.1f ms; with a hanging and a failing neighbour p50 %.1f ms p99 %.1f ms (p99 x%.2f)%n",
        what, a[0], a[1], n[0], n[1], n[1] / a[1]);
  }

  private static double[] percentiles(List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    return new double[] {
      sorted.get((int) (sorted.size() * 0.50)) / 1e6, sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6
    };
  }
}
