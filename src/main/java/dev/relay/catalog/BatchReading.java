package dev.relay.catalog;

import java.util.Map;

/**
 * What a destination's answer means for each payload of a request, by its index in the batch: an
 * outcome for the whole request ({@code rest}) and the exceptions a batch API names (Mixpanel's
 * {@code failed_records}, Amplitude's invalid-event indexes). {@code split} means the request was
 * too large as a whole: its payloads are sent again at once in smaller requests; a single payload
 * that is too large fails, as no split can help it.
 */
public record BatchReading(Outcome rest, Map<Integer, Outcome> exceptions, boolean split) {

  public BatchReading {
    exceptions = Map.copyOf(exceptions);
  }

  /** Every payload of the request has the same outcome: the reading of a request without a batch API. */
  public static BatchReading all(Outcome outcome) {
    return new BatchReading(outcome, Map.of(), false);
  }

  /** The payloads at the indexes named have their own outcome; the others have {@code rest}. */
  public static BatchReading except(Outcome rest, Map<Integer, Outcome> exceptions) {
    return new BatchReading(rest, exceptions, false);
  }

  /** The request was too large (413, or larger than the vendor's documented limit). */
  public static BatchReading tooLarge() {
    return new BatchReading(Outcome.FAILED, Map.of(), true);
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
