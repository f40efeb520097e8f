package dev.relay.destination;

import dev.relay.core.CborSerializable;

/** What a destination answers to the commands that change or read it. */
public sealed interface DestinationReply extends CborSerializable {

  record Ok(DestinationView destination) implements DestinationReply {}

  record Rejected(Problem problem, String message) implements DestinationReply {}

  enum Problem {
    NOT_FOUND,
    INVALID,
    CONFLICT
  }

  record Accepted(int queued, int duplicates) implements CborSerializable {}
}
