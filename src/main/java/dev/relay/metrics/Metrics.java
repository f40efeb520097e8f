package dev.relay.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's meter registry, scraped as {@code GET /metrics} on the management port. One per actor
 * system, not Micrometer's global registry: tests run several nodes in one JVM, and each node's
 * figures are its own. Whatever measures something takes the registry from here.
 */
public final class Metrics implements Extension {

  /** The histograms and the settings key of their buckets; every other meter has none. */
  public static final String ATTEMPT_DURATION = "relay.destination.attempt.duration";
  public static final String INGEST_DURATION = "relay.ingest.request.duration";
  public static final String EVENTS_PER_REQUEST = "relay.ingest.events.per.request";
  public static final String JOURNAL_WRITE = "relay.journal.write.duration";

  public static final ExtensionId<Metrics> ID =
      new ExtensionId<>() {
        @Override
        public Metrics createExtension(ActorSystem<?> system) {
          Metrics metrics = new Metrics();
          system.getWhenTerminated().thenRun(metrics::close);
          return metrics;
        }
      };

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Listens to the JVM's GC notifications until closed: several nodes of one JVM (tests) come and go. */
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private volatile boolean configured;

  public static Metrics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /**
   * Sets the histograms' buckets and binds the JVM's and process's meters. Called once at start,
   * before anything registers a meter (Micrometer applies a filter only to meters registered after it).
   */
  public synchronized void configure(MetricsSettings settings) {
    if (configured) {
      return;
    }
    configured = true;
    Map<String, double[]> buckets =
        Map.of(
            ATTEMPT_DURATION, nanos(settings.attemptDurationBuckets()),
            INGEST_DURATION, nanos(settings.ingestDurationBuckets()),
            JOURNAL_WRITE, nanos(settings.journalWriteBuckets()),
            EVENTS_PER_REQUEST, settings.eventsPerRequestBuckets().stream().mapToDouble(Double::doubleValue).toArray());
    registry.config().meterFilter(
        new MeterFilter() {
          @Override
          public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
            double[] slos = buckets.get(id.getName());
            if (slos == null) {
              return config;
            }
            // Explicit buckets only: Micrometer's percentile histogram would add about 70 per series.
            return DistributionStatisticConfig.builder()
                .percentilesHistogram(false)
                .serviceLevelObjectives(slos)
                .build()
                .merge(config);
          }
        });
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  private static double[] nanos(List<Duration> durations) {
    return durations.stream().mapToDouble(Duration::toNanos).toArray();
  }

  private void close() {
    gc.close();
    registry.close();
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Every meter in the Prometheus text format (version 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }
}
