package dev.relay.bench;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keep-alive clients posting {@code /v1/batch} requests of unique track calls ({@code prefix-n}, n
 * from a shared sequence, so a request's events are {@code first .. first + perRequest - 1}) until a
 * deadline: as fast as the answers come, or at a target rate shared by all clients.
 */
final class BatchClients {

  /** What happens to each request; called from the client threads. */
  interface Listener {
    /** Just before the request goes out. */
    default void sent(long first, long sentAt) {}

    /** Its answer (status -1 when the exchange failed). */
    void answered(long first, int count, int status, long sentAt, long answeredAt);
  }

  private final LoadHarness harness;
  private final String writeKey;
  private final String prefix;
  private final int perRequest;
  private final AtomicLong sequence = new AtomicLong();

  BatchClients(LoadHarness harness, String writeKey, String prefix, int perRequest) {
    this.harness = harness;
    this.writeKey = writeKey;
    this.prefix = prefix;
    this.perRequest = perRequest;
  }

  /**
   * {@code clients} threads sending until {@code end} (System.nanoTime); with {@code eventsPerSecond}
   * above 0, request k of the run is due at {@code k × perRequest / eventsPerSecond} and goes out then,
   * or at once if every client was busy. Returns when every client has its last answer.
   */
  void run(int clients, double eventsPerSecond, long end, Listener listener) throws InterruptedException {
    long start = System.nanoTime();
    double nanosPerRequest = eventsPerSecond > 0 ? perRequest * 1e9 / eventsPerSecond : 0;
    AtomicLong slots = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Thread thread = new Thread(() -> {
        while (true) {
          if (nanosPerRequest > 0) {
            long due = start + (long) (slots.getAndIncrement() * nanosPerRequest);
            if (due >= end) {
              return;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
              try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
              } catch (InterruptedException e) {
                return;
              }
            }
          } else if (System.nanoTime() >= end) {
            return;
          }
          long first = sequence.getAndAdd(perRequest);
          String body = LoadHarness.batch(prefix, first, perRequest);
          long sentAt = System.nanoTime();
          listener.sent(first, sentAt);
          int status;
          try {
            HttpResponse<String> response = harness.ingest(writeKey, body);
            status = response.statusCode();
          } catch (Exception e) {
            status = -1;
          }
          listener.answered(first, perRequest, status, sentAt, System.nanoTime());
        }
      }, "batch-client-" + c);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
  }
}
