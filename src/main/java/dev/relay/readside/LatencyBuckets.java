package dev.relay.readside;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * Fixed latency buckets of delivered requests. Percentiles come from the bucket counts, linearly
 * interpolated inside the bucket, so they are exact to within one bucket: a few milliseconds for
 * fast destinations, about a third of the value for slow ones, which is what an operator needs to
 * see that a destination got slower. Fixed bounds let minutes and destinations be added up.
 */
final class LatencyBuckets {

  /** Upper bounds (inclusive, ms) of buckets 0..n-1; bucket n holds everything slower. */
  static final long[] UPPER_BOUNDS = {
    5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500,
    10_000, 15_000, 30_000, 60_000, 120_000
  };

  static final int COUNT = UPPER_BOUNDS.length + 1;

  private LatencyBuckets() {}

  /** The bucket of a request that took {@code durationMs}. */
  static int bucketOf(long durationMs) {
    int index = Arrays.binarySearch(UPPER_BOUNDS, Math.max(0, durationMs));
    return index >= 0 ? index : -index - 1;
  }

  /**
   * The {@code quantile} (0 to 1) of the durations counted in {@code counts} (indexed by bucket), or
   * empty when there are none.
   */
  static OptionalLong percentile(long[] counts, double quantile) {
    long total = Arrays.stream(counts).sum();
    if (total == 0) {
      return OptionalLong.empty();
    }
    long rank = Math.max(1, (long) Math.ceil(quantile * total));
    long below = 0;
    for (int bucket = 0; bucket < counts.length; bucket++) {
      long inBucket = counts[bucket];
      if (inBucket > 0 && below + inBucket >= rank) {
        long lower = bucket == 0 ? 0 : UPPER_BOUNDS[bucket - 1];
        if (bucket >= UPPER_BOUNDS.length) {
          return OptionalLong.of(lower); // slower than the last bound: all we know
        }
        long upper = UPPER_BOUNDS[bucket];
        return OptionalLong.of(lower + Math.round((double) (upper - lower) * (rank - below) / inBucket));
      }
      below += inBucket;
    }
    throw new IllegalStateException("unreachable: rank " + rank + " of " + total);
  }
}
