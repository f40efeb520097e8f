package dev.relay.mapping;

/** PLACEHOLDER. */
public class MappingException extends IllegalArgumentException {
  private final String path;

  public MappingException(String path, String message) {
    super(message);
    this.path = path;
  }

  public String path() {
    return path;
  }
}
