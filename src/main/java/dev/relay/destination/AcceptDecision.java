package dev.relay.destination;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.destination.DestinationCommand.Incoming;
import dev.relay.destination.DestinationEvent.ActionDiscarded;
import dev.relay.destination.DestinationEvent.ActionQueued;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a batch of source events queues: for each event not seen before (by its {@code messageId},
 * within the batch too), an action per enabled action whose trigger matches it; and, past the
 * destination's room for pending actions, the discard of the excess.
 *
 * @param events the actions queued, then one {@link ActionDiscarded} of those over the room if any
 * @param accepted the answer: how many actions were queued and how many events were duplicates
 */
record AcceptDecision(List<DestinationEvent> events, DestinationReply.Accepted accepted) {

  static AcceptDecision of(
      CompiledActions actions, List<Incoming> incoming, Predicate<String> seen, int room, Instant now) {
    List<DestinationEvent> queued = new ArrayList<>();
    Set<String> inThisBatch = new HashSet<>();
    int duplicates = 0;
    for (Incoming each : incoming) {
      ObjectNode event = each.event();
      String messageId = event.path("messageId").asText();
      if (seen.test(messageId) || !inThisBatch.add(messageId)) {
        duplicates++;
        continue;
      }
      queued.addAll(actions.queue(each.sourceId(), event, now, false));
    }
    DestinationReply.Accepted accepted = new DestinationReply.Accepted(queued.size(), duplicates);
    if (!queued.isEmpty() && queued.size() > room) {
      // Recorded, and discarded at once: the source and other destinations go on as ever.
      List<String> overflow =
          queued.subList(Math.max(0, room), queued.size()).stream().map(e -> ((ActionQueued) e).itemId()).toList();
      queued.add(new ActionDiscarded(overflow, "backlog full", now));
    }
    return new AcceptDecision(queued, accepted);
  }
}
