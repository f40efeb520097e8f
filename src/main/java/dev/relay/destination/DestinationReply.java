package dev.relay.destination;

import dev.relay.core.CborSerializable;
import dev.relay.core.Problem;
import java.util.Map;

/** What a destination answers to the commands that change or read it. */
public sealed interface DestinationReply extends CborSerializable {

  record Ok(DestinationView destination) implements DestinationReply {}

  /** Refused: {@code problem} is NOT_FOUND, INVALID or CONFLICT. */
  record Rejected(Problem.Kind problem, String message) implements DestinationReply {}

  /**
   * What came of a {@link DestinationCommand.Replay}: the new item id of each original replayed, the
   * originals skipped (with why), and how many actions are pending now.
   */
  record Replayed(Map<String, String> replayedAs, Map<String, String> skipped, int pending)
      implements DestinationReply {}

  record Accepted(int queued, int duplicates) implements CborSerializable {}
}
