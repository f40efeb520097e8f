package dev.relay.destination;

import java.util.List;
import java.util.stream.IntStream;

/**
 * How destination events are tagged for the read side: every event with its destination's tag, one
 * of {@code count} (each tag is one projection instance), and creations and deletions also with
 * {@link #DIRECTORY}. The entity that tags and the projection that reads both use this one scheme.
 *
 * @param count {@code relay.read-side.tags}; changing it needs a rebuild of the read side
 */
public record DestinationTags(int count) {

  /** The tag of every destination's creation and deletion: the list of destinations. */
  public static final String DIRECTORY = "destinations";

  private static final String PREFIX = "dest-";

  public DestinationTags {
    if (count < 1) {
      throw new IllegalArgumentException("relay.read-side.tags must be at least 1, got " + count);
    }
  }

  /** The tag of {@code destinationId}'s events. */
  public String of(String destinationId) {
    return PREFIX + Math.floorMod(destinationId.hashCode(), count);
  }

  /** Every tag, in order. */
  public List<String> all() {
    return IntStream.range(0, count).mapToObj(i -> PREFIX + i).toList();
  }
}
