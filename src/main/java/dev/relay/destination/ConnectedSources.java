package dev.relay.destination;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Which sources feed a destination. A connection is recorded once, by its source (which is what
 * ingest routes by); a destination's view of its sources is derived from there.
 */
public interface ConnectedSources {

  /** The ids of the live sources connected to {@code destinationId}, in order. */
  CompletionStage<List<String>> of(String destinationId);
}
