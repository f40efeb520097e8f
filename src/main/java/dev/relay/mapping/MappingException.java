package dev.relay.mapping;

/**
 * A mapping that cannot be compiled (or, rarely, an event it cannot be applied to, such as an
 * {@code @liquid} template that renders past its limits). {@link #path()} names the place in the mapping,
 * e.g. {@code $.user.mail.@case.operator}; the message says what is wrong, for a person.
 */
public class MappingException extends IllegalArgumentException {
  private final String path;

  public MappingException(String path, String message) {
    super(path + ": " + message);
    this.path = path;
  }

  /** Where in the mapping the problem is, as a JSONPath-like string starting at {@code $}. */
  public String path() {
    return path;
  }
}
