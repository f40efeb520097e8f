package dev.relay.bench;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Deliveries per second for one webhook destination on PostgreSQL (max-in-flight 32): a backlog of
 * {@code events} is built up while the destination holds its answers, then released; the rate is
 * the backlog over the time the destination took to receive all of it. A warm-up round of {@code
 * warmup} events goes the same way first, so that the measured round runs compiled code: in a cold
 * node the JIT compiler takes about as much CPU as the delivery itself. Also reports the journal
 * (and tag) rows written per delivered event of the measured round.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.relay.bench.DeliveryThroughput [events] [batchSize] [warmup]</pre>
 */
public final class DeliveryThroughput {

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
    try (LoadHarness harness = new LoadHarness()) {
      String[] wired = harness.wire(batchSize);
      String writeKey = wired[0];
      String destinationId = wired[1];
      if (warmup > 0) {
        System.out.printf("warm-up: %,d events%n", warmup);
        round(harness, writeKey, "w", warmup);
      }
      long[] before = harness.journalRows(destinationId);
      double seconds = round(harness, writeKey, "d", events);
      long[] rows = harness.journalRows(destinationId);
      System.out.printf(
          "batchSize %d: %,d events delivered in %.2f s = %,.0f deliveries/s (%,d requests in all)%n",
          batchSize, events, seconds, events / seconds, harness.destination.requests.get());
      System.out.printf(
          "journal rows per delivered event: %.3f (event_journal) + %.3f (event_tag)%n",
          (double) (rows[0] - before[0]) / events, (double) (rows[1] - before[1]) / events);
    }
  }

  /**
   * Queues {@code events} while the destination holds its answers, releases it, and returns the
   * seconds from the release until the destination has received the last of them.
   */
  private static double round(LoadHarness harness, String writeKey, String prefix, int events) throws Exception {
    long deliveredBefore = harness.destination.events.get();
    harness.destination.hold();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    List<Future<HttpResponse<String>>> sent = new ArrayList<>();
    for (int first = 0; first < events; first += 500) {
      String body = LoadHarness.batch(prefix, first, Math.min(500, events - first));
      sent.add(clients.submit(() -> harness.ingest(writeKey, body)));
    }
    for (Future<HttpResponse<String>> response : sent) {
      LoadHarness.check(response.get().statusCode() == 200, "ingest failed: " + response.get().body());
    }
    clients.shutdown();
    System.out.printf("backlog of %,d events queued; releasing the destination%n", events);

    long released = System.nanoTime();
    harness.destination.release();
    while (harness.destination.events.get() < deliveredBefore + events) {
      Thread.sleep(5);
    }
    double seconds = (harness.destination.lastAt - released) / 1e9;
    // The recorded attempts are journaled just after the answers; let them land before counting.
    Thread.sleep(2000);
    return seconds;
  }
}
