package dev.relay.delivery;

/**
 * A destination's address is one Relay may not connect to (see {@link AddressPolicy}). Retrying
 * cannot change that: the attempt fails for good, and the message says which key would allow it.
 */
public final class AddressRefused extends RuntimeException {

  public AddressRefused(String message) {
    super(message, null, false, false);
  }

  /** The refusal in {@code failure} or its causes, if that is what it is. */
  public static java.util.Optional<AddressRefused> in(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof AddressRefused refused) {
        return java.util.Optional.of(refused);
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return java.util.Optional.empty();
  }
}
