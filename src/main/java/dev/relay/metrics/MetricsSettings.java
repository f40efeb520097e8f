package dev.relay.metrics;

import com.typesafe.config.Config;
import dev.relay.core.SettingRules;
import java.time.Duration;
import java.util.List;

/**
 * The relay.metrics configuration: how many destinations a node keeps series of, and the buckets of
 * each histogram (a bucket is one series per label set, so they are few and chosen). Read once at
 * start; a value out of range stops the node with a message naming its key.
 */
public record MetricsSettings(
    int maxDestinations,
    List<Duration> attemptDurationBuckets,
    List<Duration> ingestDurationBuckets,
    List<Duration> journalWriteBuckets,
    List<Double> eventsPerRequestBuckets) {

  private static final String KEY = "relay.metrics.";

  public MetricsSettings {
    SettingRules.atLeast(KEY + "max-destinations", maxDestinations, 0);
    attemptDurationBuckets = ascending(KEY + "attempt-duration-buckets", attemptDurationBuckets);
    ingestDurationBuckets = ascending(KEY + "ingest-duration-buckets", ingestDurationBuckets);
    journalWriteBuckets = ascending(KEY + "journal-write-buckets", journalWriteBuckets);
    eventsPerRequestBuckets = List.copyOf(eventsPerRequestBuckets);
    for (int i = 0; i < eventsPerRequestBuckets.size(); i++) {
      if (!(eventsPerRequestBuckets.get(i) >= 1) || i > 0 && eventsPerRequestBuckets.get(i) <= eventsPerRequestBuckets.get(i - 1)) {
        throw new IllegalArgumentException(
            KEY + "events-per-request-buckets must be ascending numbers of at least 1, got " + eventsPerRequestBuckets);
      }
    }
  }

  private static List<Duration> ascending(String key, List<Duration> buckets) {
    for (int i = 0; i < buckets.size(); i++) {
      SettingRules.positive(key, buckets.get(i));
      if (i > 0 && buckets.get(i).compareTo(buckets.get(i - 1)) <= 0) {
        throw new IllegalArgumentException(key + " must be ascending, got " + buckets);
      }
    }
    return List.copyOf(buckets);
  }

  /** Reads {@code relay.metrics}. */
  public static MetricsSettings from(Config config) {
    Config metrics = config.getConfig("relay.metrics");
    return new MetricsSettings(
        metrics.getInt("max-destinations"),
        metrics.getDurationList("attempt-duration-buckets"),
        metrics.getDurationList("ingest-duration-buckets"),
        metrics.getDurationList("journal-write-buckets"),
        metrics.getDoubleList("events-per-request-buckets"));
  }
}
