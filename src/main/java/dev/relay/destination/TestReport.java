package dev.relay.destination;

import dev.relay.catalog.Outcome;
import dev.relay.catalog.OutgoingRequest;
import dev.relay.core.CborSerializable;
import java.util.List;
import java.util.Optional;

/**
 * What the API call tester's calls sent and got, one result per matching action; {@code busy} when
 * refused because too many test requests of the destination are in flight.
 */
public record TestReport(List<Result> results, boolean busy) implements CborSerializable {

  public TestReport(List<Result> results) {
    this(results, false);
  }

  public record Result(
      String actionId,
      String actionName,
      String itemId,
      OutgoingRequest request,
      Optional<Integer> status,
      Optional<String> body,
      Outcome outcome,
      long durationMs,
      Optional<String> error)
      implements CborSerializable {}
}
