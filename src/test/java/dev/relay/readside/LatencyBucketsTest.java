package dev.relay.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LatencyBucketsTest {

  @Test
  void aDurationFallsInTheFirstBucketWhoseUpperBoundHoldsIt() {
    assertEquals(0, LatencyBuckets.bucketOf(0));
    assertEquals(0, LatencyBuckets.bucketOf(5));
    assertEquals(1, LatencyBuckets.bucketOf(6));
    assertEquals(5, LatencyBuckets.bucketOf(100));
    assertEquals(LatencyBuckets.COUNT - 1, LatencyBuckets.bucketOf(120_001));
    assertEquals(0, LatencyBuckets.bucketOf(-3), "a clock step back counts as instant");
  }

  @Test
  void percentilesOfUniformDurationsAreWithinOneBucket() {
    long[] counts = new long[LatencyBuckets.COUNT];
    for (int ms = 1; ms <= 1000; ms++) {
      counts[LatencyBuckets.bucketOf(ms)]++;
    }
    assertWithin(500, LatencyBuckets.percentile(counts, 0.50), 250, 500);
    assertWithin(950, LatencyBuckets.percentile(counts, 0.95), 750, 1000);
    assertWithin(990, LatencyBuckets.percentile(counts, 0.99), 750, 1000);
  }

  @Test
  void noDeliveredRequestsHaveNoPercentiles() {
    assertTrue(LatencyBuckets.percentile(new long[LatencyBuckets.COUNT], 0.5).isEmpty());
  }

  @Test
  void aSingleSlowRequestIsReportedAtItsBucketsLowerBoundWhenBeyondTheLast() {
    long[] counts = new long[LatencyBuckets.COUNT];
    counts[LatencyBuckets.bucketOf(500_000)] = 1;
    assertEquals(120_000, LatencyBuckets.percentile(counts, 0.99).getAsLong());
  }

  private static void assertWithin(long truth, OptionalLong estimate, long low, long high) {
    long value = estimate.getAsLong();
    assertTrue(value >= low && value <= high, "estimate " + value + " of " + truth + " outside its bucket");
  }
}
