package dev.relay.event;

import dev.relay.core.Problem;

/**
 * An ingest request that Relay refuses as a whole: nothing in it may be stored. The message is
 * for a person and names the call and field at fault, e.g. {@code batch[3]: track requires
 * "event"}.
 */
public final class InvalidRequest extends Exception {

  private static final long serialVersionUID = 1L;

  private final Problem.Kind kind;

  private InvalidRequest(Problem.Kind kind, String message) {
    // No stack trace: a refused request is an answer to a client, not a fault in Relay, and
    // clients can send many of them.
    super(message, null, false, false);
    this.kind = kind;
  }

  static InvalidRequest badRequest(String message) {
    return new InvalidRequest(Problem.Kind.INVALID, message);
  }

  static InvalidRequest tooLarge(String message) {
    return new InvalidRequest(Problem.Kind.TOO_LARGE, message);
  }

  /** {@link Problem.Kind#INVALID}, or {@link Problem.Kind#TOO_LARGE} when a size limit was exceeded. */
  public Problem.Kind kind() {
    return kind;
  }

  /** This refusal as the problem a service reports. */
  public Problem problem() {
    return Problem.of(kind, getMessage());
  }
}
