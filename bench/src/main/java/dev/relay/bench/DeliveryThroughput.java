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
 * node the JIT compiler takes about as much CPU as the delivery itself. Also reports, for the measured
 * round, the node's CPU time per delivered event (what a change to the node's code moves, where the
 * rate also moves with everything else on the machine) and the journal (and tag) rows written per
 * delivered event.
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
      Round measured = round(harness, writeKey, "d", events);
      long[] rows = harness.journalRows(destinationId);
      System.out.printf(
          "batchSize %d: %,d events delivered in %.2f s = %,.0f deliveries/s (%,d requests in all)%n",
          batchSize, events, measured.seconds(), events / measured.seconds(), harness.destination.requests.get());
      System.out.printf(
          "node CPU per delivered event: %.0f µs, %.0f µs without the JIT compiler's (%.2f cores while delivering)%n",
          measured.cpu().seconds() * 1e6 / events, measured.cpu().withoutCompiler() * 1e6 / events,
          measured.cpu().seconds() / measured.seconds());
      System.out.printf(
          "journal rows per delivered event: %.3f (event_journal) + %.3f (event_tag)%n",
          (double) (rows[0] - before[0]) / events, (double) (rows[1] - before[1]) / events);
    }
  }

  /**
   * A round's seconds from the release until the destination had the last event, and the CPU the
   * node used meanwhile: steadier than the rate, which moves with whatever else the machine runs.
   */
  private record Round(double seconds, NodeCpu cpu) {}

  /**
   * Queues {@code events} while the destination holds its answers, releases it, and measures until
   * the destination has received the last of them.
   */
  private static Round round(LoadHarness harness, String writeKey, String prefix, int events) throws Exception {
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

    NodeCpu cpuBefore = NodeCpu.of(harness.node);
    long released = System.nanoTime();
    harness.destination.release();
    while (harness.destination.events.get() < deliveredBefore + events) {
      Thread.sleep(5);
    }
    NodeCpu cpu = NodeCpu.of(harness.node).minus(cpuBefore);
    double seconds = (harness.destination.lastAt - released) / 1e9;
    // The recorded attempts are journaled just after the answers; let them land before counting.
    Thread.sleep(2000);
    return new Round(seconds, cpu);
  }
}
