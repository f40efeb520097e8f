package dev.relay.bench;

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
      BatchClients load = new BatchClients(harness, harness.wire(destinationBatchSize)[0], "i", perRequest);
      System.out.println("warming up for 10 s");
      run(load, clients, 10);
      Result result = run(load, clients, seconds);
      System.out.printf(
          "%d clients × %d events per request for %d s (destination batchSize %d): %,d requests, %,.0f events/s accepted; latency %s; %d failed%n",
          clients, perRequest, seconds, destinationBatchSize, result.ok, result.ok * perRequest / (double) seconds,
          result.latencies.p50p99(), result.failed);
    }
  }

  record Result(long ok, long failed, Latencies latencies) {}

  private static Result run(BatchClients load, int clients, int seconds) throws InterruptedException {
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    Latencies latencies = new Latencies();
    load.run(clients, 0, System.nanoTime() + seconds * 1_000_000_000L, (first, count, status, sentAt, answeredAt) -> {
      if (status == 200) {
        ok.incrementAndGet();
        latencies.add(answeredAt - sentAt);
      } else {
        failed.incrementAndGet();
      }
    });
    return new Result(ok.get(), failed.get(), latencies);
  }
}
