package dev.relay.destination;

import dev.relay.core.CborSerializable;
import dev.relay.delivery.Exchange;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a destination's entity sends itself: timers and answers to the requests it made. Never sent
 * from outside the entity, so never across nodes.
 */
sealed interface InternalCommand extends DestinationCommand {

  /** The retry timer: attempt what is due. */
  record DeliverDue() implements InternalCommand {}

  /** An attempt came back (from the destination or with a network error). */
  record AttemptFinished(String actionId, List<ItemAttempt> items, Exchange exchange, int generation)
      implements InternalCommand {}

  /** The test calls came back. */
  record TestsFinished(List<TestCall> calls, ActorRef<TestReport> replyTo, int generation) implements InternalCommand {}

  record TestCall(String itemId, String actionId, String actionName, Exchange exchange) implements CborSerializable {}

  /** Journal the attempts finished since the last time, in one write. */
  record RecordFinishedAttempts() implements InternalCommand {}

  /** Sharding's stop message, after passivation. */
  record Stop() implements InternalCommand {}

  record ItemAttempt(String itemId, int attempt) implements CborSerializable {}
}
