package dev.relay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.Test;

class AsyncFailureTest {

  private final IllegalStateException failure = new IllegalStateException("the failure itself");

  @Test
  void whatAComposedFutureFailsWithUnwrapsToWhatTheStageThrew() {
    CompletableFuture<String> composed =
        CompletableFuture.completedFuture("x").thenApply(x -> { throw failure; });

    CompletionException joined = assertThrows(CompletionException.class, composed::join);
    ExecutionException got = assertThrows(ExecutionException.class, composed::get);

    assertSame(failure, AsyncFailure.unwrap(joined));
    assertSame(failure, AsyncFailure.unwrap(got));
  }

  @Test
  void nestedWrappersAreAllRemoved() {
    assertSame(failure, AsyncFailure.unwrap(new CompletionException(new ExecutionException(new CompletionException(failure)))));
  }

  @Test
  void aFailureThatIsNoWrapperIsItself() {
    assertSame(failure, AsyncFailure.unwrap(failure));
    // Its own cause is part of what it says, not a wrapper.
    IllegalStateException withCause = new IllegalStateException("outer", new IOException("inner"));
    assertSame(withCause, AsyncFailure.unwrap(withCause));
  }

  @Test
  void aWrapperWithoutACauseIsKept() {
    CompletionException empty = new CompletionException("nothing inside", null);
    assertSame(empty, AsyncFailure.unwrap(empty));
  }

  @Test
  void anAskTimeoutIsATimeoutEvenWrappedAndNothingElseIs() {
    assertTrue(AsyncFailure.timedOut(new CompletionException(new AskTimeoutException("no answer"))));
    assertFalse(AsyncFailure.timedOut(new CompletionException(failure)));
    assertFalse(AsyncFailure.timedOut(Problem.unavailable("busy node")));
  }

  @Test
  void propagatingKeepsAnUncheckedFailureAndWrapsACheckedOne() {
    assertSame(failure, AsyncFailure.propagate(failure));
    IOException checked = new IOException("disk");
    RuntimeException wrapped = AsyncFailure.propagate(checked);
    assertInstanceOf(CompletionException.class, wrapped);
    assertSame(checked, wrapped.getCause());
  }

  @Test
  void aProblemIsFoundThroughTheWrappersOfFutures() {
    Problem notFound = Problem.notFound("no destination d-1");
    CompletionException wrapped = new CompletionException(notFound);

    assertEquals(Optional.of(notFound), Problem.in(wrapped));
    assertTrue(Problem.is(wrapped, Problem.Kind.NOT_FOUND));
    assertFalse(Problem.is(wrapped, Problem.Kind.CONFLICT));
    assertFalse(Problem.is(new CompletionException(failure), Problem.Kind.NOT_FOUND));
  }

  @Test
  void anUnavailableProblemKeepsTheFailureBehindItUnwrapped() {
    Problem unavailable = Problem.unavailable("destination d-1 did not answer in time", new CompletionException(failure));
    assertEquals(Problem.Kind.UNAVAILABLE, unavailable.kind());
    assertSame(failure, unavailable.getCause());
  }
}
