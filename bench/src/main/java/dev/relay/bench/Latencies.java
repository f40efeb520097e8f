package dev.relay.bench;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies counted in 100 µs buckets up to 120 s (anything longer in the last), safe to record from
 * many threads at once: constant memory however long the run, percentiles to 0.1 ms.
 */
final class Latencies {

  private static final long BUCKET_NANOS = 100_000;
  private final AtomicLongArray buckets = new AtomicLongArray(1_200_001);

  void add(long nanos) {
    add(nanos, 1);
  }

  /** {@code count} samples of {@code nanos} (e.g. every event of one request); negative counts as 0. */
  void add(long nanos, long count) {
    buckets.addAndGet((int) Math.min(buckets.length() - 1, Math.max(0, nanos) / BUCKET_NANOS), count);
  }

  /** Samples that never completed: slower than anything measured, so their absence cannot flatter the percentiles. */
  void addNever(long count) {
    buckets.addAndGet(buckets.length() - 1, count);
  }

  long count() {
    long total = 0;
    for (int i = 0; i < buckets.length(); i++) {
      total += buckets.get(i);
    }
    return total;
  }

  /** The {@code q} quantile in milliseconds (the bucket's upper bound); NaN without samples. */
  double percentileMillis(double q) {
    long total = count();
    if (total == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < buckets.length(); i++) {
      seen += buckets.get(i);
      if (seen >= rank) {
        return (i + 1) * BUCKET_NANOS / 1e6;
      }
    }
    throw new AssertionError("rank beyond the count");
  }

  /** "p50 12.3 ms, p99 45.6 ms". */
  String p50p99() {
    return String.format("p50 %.1f ms, p99 %.1f ms", percentileMillis(0.50), percentileMillis(0.99));
  }
}
