package dev.relay.bench;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Events accepted per second on PostgreSQL: {@code clients} concurrent clients each posting
 * {@code /v1/batch} requests of 100 unique track calls, as fast as the answers come, to a source
 * connected to one webhook destination (which delivers them meanwhile). A request counts once it is
 * answered 200, i.e. once every event is journaled by the destination.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.relay.bench.IngestThroughput [seconds] [clients] [eventsPerRequest] [destinationBatchSize]</pre>
 */
public final class IngestThroughput {

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int perRequest = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    int destinationBatchSize = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    try (LoadHarness harness = new LoadHarness()) {
      String writeKey = harness.wire(destinationBatchSize)[0];
      AtomicLong sequence = new AtomicLong();
      System.out.println("warming up for 10 s");
      run(harness, writeKey, clients, perRequest, 10, sequence);
      Result result = run(harness, writeKey, clients, perRequest, seconds, sequence);
      System.out.printf(
          "%d clients × %d events per request for %d s (destination batchSize %d): %,d requests, %,.0f events/s accepted; latency p50 %.1f ms, p99 %.1f ms; %d failed%n",
          clients, perRequest, seconds, destinationBatchSize, result.ok, result.ok * perRequest / (double) seconds,
          result.p50, result.p99, result.failed);
    }
  }

  record Result(long ok, long failed, double p50, double p99) {}

  private static Result run(LoadHarness harness, String writeKey, int clients, int perRequest, int seconds, AtomicLong sequence)
      throws Exception {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    List<long[]> latencies = new ArrayList<>();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    for (int c = 0; c < clients; c++) {
      long[] mine = new long[1_000_000];
      latencies.add(mine);
      Thread thread = new Thread(() -> {
        int n = 0;
        while (System.nanoTime() < end) {
          String body = LoadHarness.batch("i", sequence.getAndAdd(perRequest), perRequest);
          long start = System.nanoTime();
          try {
            HttpResponse<String> response = harness.ingest(writeKey, body);
            if (response.statusCode() == 200) {
              ok.incrementAndGet();
              if (n < mine.length) {
                mine[n++] = System.nanoTime() - start;
              }
            } else {
              failed.incrementAndGet();
            }
          } catch (Exception e) {
            failed.incrementAndGet();
          }
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    long[] all = latencies.stream().flatMapToLong(a -> Arrays.stream(a).filter(v -> v > 0)).sorted().toArray();
    double p50 = all.length == 0 ? 0 : all[(int) (all.length * 0.50)] / 1e6;
    double p99 = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6;
    return new Result(ok.get(), failed.get(), p50, p99);
  }
}
