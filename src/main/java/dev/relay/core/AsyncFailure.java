package dev.relay.core;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The failure itself, out of the wrappers that futures put around it: a composed
 * {@code CompletableFuture} wraps what a stage threw in a {@link CompletionException}, {@code get()}
 * and Scala futures in an {@link ExecutionException}.
 */
public final class AsyncFailure {

  private AsyncFailure() {}

  /** {@code failure} without its {@link CompletionException} and {@link ExecutionException} layers. */
  public static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null
        && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Whether {@code failure} is the want of an answer in time (Pekko's AskTimeoutException is one). */
  public static boolean timedOut(Throwable failure) {
    return unwrap(failure) instanceof TimeoutException;
  }

  /**
   * {@code failure} as an unchecked exception to throw on from a stage ({@code exceptionally},
   * {@code handle}), so the next stage sees the same failure rather than a new wrapper.
   */
  public static RuntimeException propagate(Throwable failure) {
    return failure instanceof RuntimeException unchecked ? unchecked : new CompletionException(failure);
  }
}
