package dev.relay.catalog;

import java.util.Map;

/**
 * What a destination's answer means for each payload of a request, by its index in the batch: an
 * outcome for the whole request ({@code rest}) and the exceptions a batch API names (Mixpanel's
 * {@code failed_records}, Amplitude's invalid-event indexes). {@code split} means the batch is sent
 * again at once in halves: because it was too large ({@code shrink}: the action's later batches stay
 * that small), or to isolate what the vendor refused in a batch it refused whole without saying
 * which; a single payload so refused fails, as no split can help it.
 */
public record BatchReading(Outcome rest, Map<Integer, Outcome> exceptions, boolean split, boolean shrink) {

  public BatchReading {
    exceptions = Map.copyOf(exceptions);
  }

  /** Every payload of the request has the same outcome: the reading of a request without a batch API. */
  public static BatchReading all(Outcome outcome) {
    return new BatchReading(outcome, Map.of(), false, false);
  }

  /** The payloads at the indexes named have their own outcome; the others have {@code rest}. */
  public static BatchReading except(Outcome rest, Map<Integer, Outcome> exceptions) {
    return new BatchReading(rest, exceptions, false, false);
  }

  /** The request was too large (413, or larger than the vendor's documented limit). */
  public static BatchReading tooLarge() {
    return new BatchReading(Outcome.FAILED, Map.of(), true, true);
  }

  /**
   * The vendor refused the batch whole for some payload in it without naming it: halves are sent
   * again until the refused payloads are alone (and fail). Only for vendors where sending a payload
   * twice is harmless (an upsert, or an id the vendor deduplicates on).
   */
  public static BatchReading isolate() {
    return new BatchReading(Outcome.FAILED, Map.of(), true, false);
  }

  /** Whether a request of {@code count} payloads is to be split and its halves sent again at once. */
  public boolean splits(int count) {
    return split && count > 1;
  }

  /** The outcome of payload {@code index} of {@code count}. */
  public Outcome of(int index, int count) {
    if (split) {
      return count > 1 ? Outcome.RETRY : Outcome.FAILED;
    }
    return exceptions.getOrDefault(index, rest);
  }
}
