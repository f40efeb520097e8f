package dev.relay.mapping;

/** PLACEHOLDER. */
public class TriggerException extends IllegalArgumentException {
  private final int position;

  public TriggerException(int position, String message) {
    super(message);
    this.position = position;
  }

  public int position() {
    return position;
  }
}
