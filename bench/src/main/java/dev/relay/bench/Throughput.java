package dev.relay.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue #12's figures from one run on PostgreSQL: {@code clients} keep-alive clients post
 * {@code /v1/batch} requests of unique track calls to a source connected to one webhook destination
 * that delivers to the fast loopback destination; after a warm-up, for the measured period: events
 * accepted and delivered per second, ingest latency, queued-to-delivered latency (from the 200 to the
 * event's arrival), read-side lag (from the 200 to the event being visible through the action journal
 * API), then the raw insert ceiling of the same PostgreSQL ({@link InsertCeiling}) and the ratio.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.relay.bench.Throughput [--seconds=30] [--warmup=10] [--clients=8]
 *     [--events=100] [--batch-size=100] [--rate=0] [--ceiling-seconds=10] [--ceiling-connections=8]</pre>
 *
 * {@code --rate} (events/s, 0 = as fast as the answers come) paces the requests, for latencies at a
 * given fraction of the maximum.
 */
public final class Throughput {

  private static final String PREFIX = "t";
  private static final List<String> OPTIONS =
      List.of("seconds", "warmup", "clients", "events", "batch-size", "rate", "ceiling-seconds", "ceiling-connections");
  private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\":\"" + PREFIX + "-(\\d+)\"");

  /** One ingest request; its events are {@code first .. first + events - 1}. */
  private static final class Request {
    final long first;
    final long sentAt;
    final int events;
    volatile long answeredAt;
    volatile int status;
    /** Its place among the requests answered 200, in answer order (guarded by {@link #answered}). */
    int answerIndex = -1;
    final AtomicInteger delivered = new AtomicInteger();

    Request(long first, long sentAt, int events) {
      this.first = first;
      this.sentAt = sentAt;
      this.events = events;
    }
  }

  private final int perRequest;
  private final long warmEnd;
  private final long end;
  /** By first event number. */
  private final Map<Long, Request> requests = new ConcurrentHashMap<>();
  /** The requests answered 200, in the order their answers came: the journal's order, near enough. */
  private final List<Request> answered = new ArrayList<>();
  /** The last of {@link #answered} seen through the journal API (guarded by {@link #answered}). */
  private int visible = -1;

  private final Latencies ingest = new Latencies();
  private final Latencies queuedToDelivered = new Latencies();
  private final Latencies sentToDelivered = new Latencies();
  private final Latencies readSideLag = new Latencies();
  private final AtomicLong acceptedInWindow = new AtomicLong();
  private final AtomicLong deliveredInWindow = new AtomicLong();
  private final AtomicLong failedRequests = new AtomicLong();
  private final AtomicLong acceptedEvents = new AtomicLong();
  private final AtomicLong deliveredEvents = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong beforeAnswer = new AtomicLong();

  private Throughput(int perRequest, long warmEnd, long end) {
    this.perRequest = perRequest;
    this.warmEnd = warmEnd;
    this.end = end;
  }

  public static void main(String[] args) throws Exception {
    Options options = new Options(args, OPTIONS);
    int seconds = options.integer("seconds", 30);
    int warmup = options.integer("warmup", 10);
    int clients = options.integer("clients", 8);
    int perRequest = options.integer("events", 100);
    int batchSize = options.integer("batch-size", 100);
    double rate = options.decimal("rate", 0);
    int ceilingSeconds = options.integer("ceiling-seconds", 10);
    int ceilingConnections = options.integer("ceiling-connections", 8);
    LoadHarness.check(!System.getProperty("bench.db", "postgres").equals("h2"), "Throughput measures PostgreSQL's ceiling: no -Dbench.db=h2");

    String loadBefore = loadAverage();
    Files.createDirectories(Path.of("target"));
    try (LoadHarness harness = new LoadHarness()) {
      String[] wired = harness.wire(batchSize);
      System.out.printf(
          "Throughput: %d clients × %d events per request, %s, webhook batchSize %d; %d s warm-up, %d s measured; PostgreSQL database %s%n",
          clients, perRequest, rate > 0 ? String.format("%,.0f events/s offered", rate) : "as fast as the answers come",
          batchSize, warmup, seconds, harness.database);
      long start = System.nanoTime();
      Throughput run = new Throughput(perRequest, start + warmup * 1_000_000_000L, start + (warmup + seconds) * 1_000_000_000L);
      harness.destination.receiver = run::received;
      Thread poller = new Thread(() -> run.poll(harness, wired[1]), "journal-poller");
      poller.start();
      new BatchClients(harness, wired[0], PREFIX, perRequest).run(clients, rate, run.end, run.new Recorder());
      boolean caughtUp = run.awaitCaughtUp(30_000_000_000L);
      poller.interrupt();
      poller.join();
      run.countMissing();
      String loadAfterLoad = loadAverage();

      System.out.printf("measuring the raw insert ceiling for %d s%n", ceilingSeconds);
      InsertCeiling.Result ceiling = InsertCeiling.measure(harness, ceilingConnections, ceilingSeconds);
      run.report(seconds, ceiling, ceilingConnections, caughtUp, loadBefore, loadAfterLoad);
    }
  }

  /** The clients' side: requests sent and answered. */
  private final class Recorder implements BatchClients.Listener {
    @Override
    public void sent(long first, long sentAt) {
      requests.put(first, new Request(first, sentAt, perRequest));
    }

    @Override
    public void answered(long first, int count, int status, long sentAt, long answeredAt) {
      Request request = requests.get(first);
      request.status = status;
      if (status != 200) {
        failedRequests.incrementAndGet();
        return;
      }
      request.answeredAt = answeredAt;
      synchronized (answered) {
        request.answerIndex = answered.size();
        answered.add(request);
      }
      acceptedEvents.addAndGet(count);
      if (answeredAt >= warmEnd && answeredAt < end) {
        acceptedInWindow.addAndGet(count);
      }
      if (measured(request)) {
        ingest.add(answeredAt - sentAt);
      }
    }
  }

  /** Latencies are those of the requests sent in the measured period. */
  private boolean measured(Request request) {
    return request.sentAt >= warmEnd && request.sentAt < end;
  }

  /** The destination's side: each event's arrival. */
  private void received(String body, long at) {
    Matcher id = MESSAGE_ID.matcher(body);
    while (id.find()) {
      long n = Long.parseLong(id.group(1));
      Request request = requests.get(n - n % perRequest);
      if (request == null) {
        continue;
      }
      if (request.delivered.incrementAndGet() > request.events) {
        duplicates.incrementAndGet();
        continue;
      }
      deliveredEvents.incrementAndGet();
      if (at >= warmEnd && at < end) {
        deliveredInWindow.incrementAndGet();
      }
      if (measured(request)) {
        sentToDelivered.add(at - request.sentAt);
        long answeredAt = request.answeredAt;
        if (answeredAt == 0) { // delivered before the client had its 200
          beforeAnswer.incrementAndGet();
        }
        queuedToDelivered.add(answeredAt == 0 ? 0 : at - answeredAt);
      }
    }
  }

  /**
   * Every ~20 ms, through the journal API: the destination's newest action (the operator's first
   * page). Actions are projected in journal order, so every request answered before the one that
   * newest action came in is visible too. Answers can come back in another order than the journal's
   * (concurrent requests grouped in one write), so the first request not yet seen is then looked up
   * by its last messageId. A request's events lag by the time of the answer that showed them minus
   * their 200.
   */
  private void poll(LoadHarness harness, String destinationId) {
    String journal = "/api/destinations/" + destinationId + "/journal?limit=1";
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Matcher newest = MESSAGE_ID.matcher(harness.admin("GET", journal, null));
        long now = System.nanoTime();
        if (newest.find()) {
          long n = Long.parseLong(newest.group(1));
          Request request = requests.get(n - n % perRequest);
          synchronized (answered) {
            // Visible before its client had the 200: everything answered so far was journaled before it.
            seenUpTo(request != null && request.answerIndex >= 0 ? request.answerIndex : answered.size() - 1, now);
          }
        }
        for (int looked = 0; looked < 10; looked++) {
          Request next;
          synchronized (answered) {
            next = visible + 1 < answered.size() ? answered.get(visible + 1) : null;
          }
          long last = next == null ? -1 : next.first + next.events - 1;
          if (next == null || !harness.admin("GET", journal + "&messageId=" + PREFIX + "-" + last, null).contains("\"messageId\"")) {
            break;
          }
          now = System.nanoTime();
          synchronized (answered) {
            seenUpTo(next.answerIndex, now);
          }
        }
        Thread.sleep(20);
      } catch (InterruptedException stop) {
        return;
      } catch (Exception e) {
        System.err.println("journal poll failed: " + e);
      }
    }
  }

  /** The requests answered up to {@code index} are visible at {@code now}; call holding {@link #answered}. */
  private void seenUpTo(int index, long now) {
    for (int i = visible + 1; i <= index; i++) {
      Request request = answered.get(i);
      if (measured(request)) {
        readSideLag.add(now - request.answeredAt, request.events);
      }
    }
    visible = Math.max(visible, index);
  }

  /** Until every accepted event is delivered and visible through the journal API; false if not within the timeout. */
  private boolean awaitCaughtUp(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (System.nanoTime() < deadline) {
      synchronized (answered) {
        if (deliveredEvents.get() >= acceptedEvents.get() && visible == answered.size() - 1) {
          return true;
        }
      }
      Thread.sleep(20);
    }
    return false;
  }

  /** Events accepted in the measured period but never delivered, or never visible, count as slower than any measured. */
  private void countMissing() {
    synchronized (answered) {
      for (int i = 0; i < answered.size(); i++) {
        Request request = answered.get(i);
        if (!measured(request)) {
          continue;
        }
        long undelivered = Math.max(0, request.events - request.delivered.get());
        queuedToDelivered.addNever(undelivered);
        sentToDelivered.addNever(undelivered);
        if (i > visible) {
          readSideLag.addNever(request.events);
        }
      }
    }
  }

  private void report(
      int seconds, InsertCeiling.Result ceiling, int ceilingConnections, boolean caughtUp, String loadBefore, String loadAfterLoad) {
    double accepted = acceptedInWindow.get() / (double) seconds;
    double delivered = deliveredInWindow.get() / (double) seconds;
    System.out.println();
    System.out.printf("accepted:             %,.0f events/s (%,d events answered 200 in the measured %d s; %,d requests failed)%n",
        accepted, acceptedInWindow.get(), seconds, failedRequests.get());
    System.out.printf("delivered:            %,.0f events/s (%,d events received by the destination in the measured %d s)%n",
        delivered, deliveredInWindow.get(), seconds);
    System.out.printf("ingest:               %s (request sent → 200, %,d requests)%n", ingest.p50p99(), ingest.count());
    System.out.printf("queued → delivered:   %s (200 → arrival, %,d events; %,d arrived before their 200 and count as 0)%n",
        queuedToDelivered.p50p99(), queuedToDelivered.count(), beforeAnswer.get());
    System.out.printf("sent → delivered:     %s (request sent → arrival)%n", sentToDelivered.p50p99());
    System.out.printf("read-side lag:        %s (200 → visible through the journal API, %,d events)%n",
        readSideLag.p50p99(), readSideLag.count());
    System.out.printf("raw insert ceiling:   %,.0f rows/s (%d connections, prepared %d-row INSERTs, %d-byte payloads, %,d rows in %.1f s)%n",
        ceiling.rowsPerSecond(), ceilingConnections, InsertCeiling.ROWS_PER_INSERT, InsertCeiling.PAYLOAD_BYTES, ceiling.rows(), ceiling.seconds());
    System.out.printf("delivered / ceiling:  %.3f%n", delivered / ceiling.rowsPerSecond());
    System.out.printf("all accepted delivered and visible: %s (%,d accepted, %,d delivered, %,d duplicates)%n",
        caughtUp ? "yes" : "NO, not within 30 s", acceptedEvents.get(), deliveredEvents.get(), duplicates.get());
    System.out.printf("load average:         %s before, %s after the load, %s after the ceiling%n", loadBefore, loadAfterLoad, loadAverage());
  }

  private static String loadAverage() {
    try {
      return String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
    } catch (Exception none) {
      return "n/a";
    }
  }
}
