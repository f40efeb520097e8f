package dev.relay.mapping;

/**
 * A trigger that is not valid FQL. Segment silently never matches such a trigger; Relay refuses it
 * when it is saved, saying where ({@link #position()}) and what was expected.
 */
public class TriggerException extends IllegalArgumentException {
  private final int position;

  public TriggerException(int position, String message) {
    super(message + " (at position " + position + ")");
    this.position = position;
  }

  /** 0-based character offset into the trigger text. */
  public int position() {
    return position;
  }
}
