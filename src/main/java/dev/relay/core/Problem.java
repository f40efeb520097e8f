package dev.relay.core;

import java.util.Optional;

/**
 * What went wrong with a request, in the domain's terms: its {@link Kind} and a message for a
 * person. Services and entities throw it (or fail a future with it); only {@code http/} decides
 * which status each kind is. A problem is an answer, not a fault in Relay, so it has no stack trace
 * of its own; a {@link Kind#UNAVAILABLE} one may carry the failure behind it, for the log.
 */
public final class Problem extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The kinds of problem a caller is told about, each one way to act on it. */
  public enum Kind {
    /** The request is wrong: a field, a parameter or the body. Do not repeat it as it is. */
    INVALID,
    /** The request is larger than a configured limit. */
    TOO_LARGE,
    /** The caller did not say who it is, or said it wrongly (a write key). */
    UNAUTHENTICATED,
    /** What the request names does not exist. */
    NOT_FOUND,
    /** The request contradicts the current state (exists already, deleted, under way). */
    CONFLICT,
    /** This caller has as much under way as it may; repeat later. Relay itself is fine. */
    BUSY,
    /** Relay could not do it now (a timeout, a node starting); repeating it may succeed. */
    UNAVAILABLE
  }

  private final Kind kind;

  private Problem(Kind kind, String message, Throwable cause) {
    super(message, cause, false, false);
    this.kind = kind;
  }

  public static Problem of(Kind kind, String message) {
    return new Problem(kind, message, null);
  }

  public static Problem invalid(String message) {
    return new Problem(Kind.INVALID, message, null);
  }

  public static Problem tooLarge(String message) {
    return new Problem(Kind.TOO_LARGE, message, null);
  }

  public static Problem unauthenticated(String message) {
    return new Problem(Kind.UNAUTHENTICATED, message, null);
  }

  public static Problem notFound(String message) {
    return new Problem(Kind.NOT_FOUND, message, null);
  }

  public static Problem conflict(String message) {
    return new Problem(Kind.CONFLICT, message, null);
  }

  public static Problem busy(String message) {
    return new Problem(Kind.BUSY, message, null);
  }

  public static Problem unavailable(String message) {
    return new Problem(Kind.UNAVAILABLE, message, null);
  }

  /** @param cause what made it unavailable (a timeout, a database error): logged, never shown */
  public static Problem unavailable(String message, Throwable cause) {
    return new Problem(Kind.UNAVAILABLE, message, AsyncFailure.unwrap(cause));
  }

  public Kind kind() {
    return kind;
  }

  /** The problem {@code failure} is, once unwrapped from the futures it passed through. */
  public static Optional<Problem> in(Throwable failure) {
    return AsyncFailure.unwrap(failure) instanceof Problem problem ? Optional.of(problem) : Optional.empty();
  }

  /** Whether {@code failure} is a problem of {@code kind}. */
  public static boolean is(Throwable failure, Kind kind) {
    return in(failure).filter(problem -> problem.kind == kind).isPresent();
  }
}
