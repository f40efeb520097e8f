package dev.relay.event;

/**
 * An ingest request that Relay refuses as a whole: nothing in it may be stored. The message is
 * for a person and names the call and field at fault, e.g. {@code batch[3]: track requires
 * "event"}.
 */
public final class InvalidRequest extends Exception {

  private static final long serialVersionUID = 1L;

  private final int status;

  private InvalidRequest(int status, String message) {
    // No stack trace: a refused request is an answer to a client, not a fault in Relay, and
    // clients can send many of them.
    super(message, null, false, false);
    this.status = status;
  }

  static InvalidRequest badRequest(String message) {
    return new InvalidRequest(400, message);
  }

  static InvalidRequest tooLarge(String message) {
    return new InvalidRequest(413, message);
  }

  /** The HTTP status to answer with: 400, or 413 when a size limit was exceeded. */
  public int status() {
    return status;
  }
}
