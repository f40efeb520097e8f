package dev.relay.bench;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much disk the embedded H2 database takes for what it holds: a node on H2 (its own process,
 * a temporary data dir) is offered {@code rate} events/s for {@code seconds}, as {@code /v1/batch}
 * requests of 50, whatever its answer time, for one source connected to three webhook destinations
 * ({@code batchSize} 50) that deliver to a fast loopback destination. Every 30 s, once every action is
 * delivered and the read side has caught up, and a minute later, it prints the database file's size,
 * the tables' size with their indexes (as {@code GET /api/read-side} reports them) and their ratio;
 * then what the data takes compacted offline. {@code -Dbench.db=postgres} runs the same on
 * PostgreSQL (the database's size, and after {@code VACUUM FULL}).
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.relay.bench.EmbeddedDiskUsage [rate] [seconds]</pre>
 */
public final class EmbeddedDiskUsage {

  private static final int DESTINATIONS = 3;
  private static final int PER_REQUEST = 50;

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 240;
    // The embedded default unless -Dbench.db=postgres asks for the same load on PostgreSQL.
    System.setProperty("bench.db", System.getProperty("bench.db", "h2"));
    try (LoadHarness harness = new LoadHarness()) {
      String writeKey = harness.wireMany(DESTINATIONS, 50);
      AtomicLong sequence = new AtomicLong();
      AtomicLong accepted = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      int requestsPerSecond = Math.max(1, rate / PER_REQUEST);
      // The ticker only hands each request to a sender, so the offered rate does not depend on how
      // long the node takes to answer (one request at a time, a slower answer meant fewer events).
      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
      ThreadPoolExecutor senders = (ThreadPoolExecutor) Executors.newFixedThreadPool(32);
      long periodMicros = 1_000_000L / requestsPerSecond;
      var ticks =
          ticker.scheduleAtFixedRate(
              () -> senders.execute(() -> {
                String body = LoadHarness.batch("d", sequence.getAndAdd(PER_REQUEST), PER_REQUEST);
                try {
                  HttpResponse<String> response = harness.ingest(writeKey, body);
                  (response.statusCode() == 200 ? accepted : failed).addAndGet(PER_REQUEST);
                } catch (Exception e) {
                  failed.addAndGet(PER_REQUEST);
                }
              }),
              0, periodMicros, TimeUnit.MICROSECONDS);
      long start = System.nanoTime();
      for (int s = 1; s <= seconds; s++) {
        Thread.sleep(Math.max(0, start + s * 1_000_000_000L - System.nanoTime()) / 1_000_000);
        if (s % 30 == 0 && s < seconds) {
          System.out.printf("%4d s: %,d events accepted, %s%n", s, accepted.get(), storage(harness));
        }
      }
      // Stopped before the last report, which takes seconds to gather under load.
      ticks.cancel(false);
      ticker.shutdown();
      System.out.printf("%4d s: %,d events accepted, %s%n", seconds, accepted.get(), storage(harness));
      // Requests still waiting for a sender when the time is up were offered but not taken in time.
      long unsent = (long) senders.getQueue().size() * PER_REQUEST;
      senders.getQueue().clear();
      senders.shutdown();
      senders.awaitTermination(60, TimeUnit.SECONDS);
      long events = accepted.get();
      long actions = events * DESTINATIONS;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (harness.destination.events.get() < actions || behind(harness) > 0) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("not all delivered and projected within 10 minutes");
        }
        Thread.sleep(1000);
      }
      System.out.printf(
          "%,d events accepted (%,d failed, %,d not sent: the node was behind) at %d/s offered for %d s: %,d actions delivered%n",
          events, failed.get(), unsent, rate, seconds, harness.destination.events.get());
      System.out.println("after the load: " + storage(harness));
      Thread.sleep(60_000);
      System.out.println("60 s later, idle: " + storage(harness));

      // What this data needs at the least: the database compacted offline, with the node stopped.
      harness.node.destroy();
      harness.node.waitFor();
      if (harness.h2) {
        Path file = harness.dataDir.resolve("relay.mv.db");
        long stopped = Files.size(file);
        try (Connection h2 = DriverManager.getConnection("jdbc:h2:file:" + harness.dataDir.resolve("relay"), "", "")) {
          h2.createStatement().execute("SHUTDOWN COMPACT");
        }
        System.out.printf(
            "stopped: file %,.1f MB; compacted offline (SHUTDOWN COMPACT): %,.1f MB%n", stopped / 1e6, Files.size(file) / 1e6);
      } else {
        try (Connection postgres = harness.connect(); Statement statement = postgres.createStatement()) {
          statement.execute("VACUUM FULL");
          try (ResultSet size = statement.executeQuery("SELECT pg_database_size(current_database())")) {
            size.next();
            System.out.printf("stopped, after VACUUM FULL: database %,.1f MB%n", size.getLong(1) / 1e6);
          }
        }
      }
    }
  }

  private static final Pattern FILE = Pattern.compile("\"fileBytes\":(\\d+)");
  private static final Pattern DATA = Pattern.compile("\"dataBytes\":(\\d+)");
  private static final Pattern BEHIND = Pattern.compile("\"eventsBehind\":(\\d+)");

  private static String storage(LoadHarness harness) throws Exception {
    String status = harness.admin("GET", "/api/read-side", null);
    long file = number(FILE, status);
    long data = number(DATA, status);
    return String.format("file %,.1f MB, data %,.1f MB, ratio %.2f", file / 1e6, data / 1e6, data == 0 ? 0 : file / (double) data);
  }

  private static long behind(LoadHarness harness) throws Exception {
    Matcher matcher = BEHIND.matcher(harness.admin("GET", "/api/read-side", null));
    long behind = 0;
    while (matcher.find()) {
      behind += Long.parseLong(matcher.group(1));
    }
    return behind;
  }

  private static long number(Pattern pattern, String json) {
    Matcher matcher = pattern.matcher(json);
    return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
  }
}
