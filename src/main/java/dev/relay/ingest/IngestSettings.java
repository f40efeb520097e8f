package dev.relay.ingest;

import com.typesafe.config.Config;
import dev.relay.event.EventLimits;
import java.time.Duration;

/** The relay.ingest.* configuration. */
public record IngestSettings(
    EventLimits limits,
    Duration timeout,
    int batchMaxEvents,
    Duration batchWindow,
    int batchParallelism,
    int batchQueueSize,
    Duration batchIdleTimeout) {

  public static IngestSettings from(Config config) {
    Config ingest = config.getConfig("relay.ingest");
    return new IngestSettings(
        new EventLimits(
            ingest.getInt("max-event-bytes"),
            ingest.getInt("max-request-bytes"),
            ingest.getInt("max-nesting-depth")),
        ingest.getDuration("timeout"),
        ingest.getInt("batch.max-events"),
        ingest.getDuration("batch.window"),
        ingest.getInt("batch.parallelism"),
        ingest.getInt("batch.queue-size"),
        ingest.getDuration("batch.idle-timeout"));
  }
}
