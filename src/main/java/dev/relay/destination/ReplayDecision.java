package dev.relay.destination;

import dev.relay.core.Ids;
import dev.relay.destination.DestinationEvent.ActionReplayed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which of the actions a replay names are queued again (each once, to the same action, with a fresh
 * retry budget) and why the others are not: still pending, or their action removed, disabled or
 * unusable.
 *
 * @param events one {@link ActionReplayed} per action queued again
 * @param replayedAs the new item of each original queued again
 * @param skipped why each other original is not
 */
record ReplayDecision(List<DestinationEvent> events, Map<String, String> replayedAs, Map<String, String> skipped) {

  static ReplayDecision of(
      CompiledActions actions, List<DestinationCommand.ReplayOf> items, Predicate<String> pending, Instant now) {
    List<DestinationEvent> replayed = new ArrayList<>();
    Map<String, String> replayedAs = new LinkedHashMap<>();
    Map<String, String> skipped = new LinkedHashMap<>();
    for (DestinationCommand.ReplayOf item : items) {
      Optional<CompiledActions.Compiled> action = actions.get(item.actionId());
      if (replayedAs.containsKey(item.itemId()) || skipped.containsKey(item.itemId())) {
        continue; // named twice in one command: replayed once
      } else if (pending.test(item.itemId())) {
        skipped.put(item.itemId(), "it is still pending");
      } else if (action.isEmpty() || !action.get().config().enabled()) {
        skipped.put(item.itemId(), "its action " + item.actionId() + " is removed, disabled or unusable");
      } else {
        String newItemId = Ids.newTimeOrderedId("itm");
        replayedAs.put(item.itemId(), newItemId);
        replayed.add(
            new ActionReplayed(
                newItemId, item.itemId(), item.actionId(), action.get().config().name(), item.sourceId(), item.event(), now));
      }
    }
    return new ReplayDecision(replayed, replayedAs, skipped);
  }

  /** The answer, with the destination's pending count after the replay. */
  DestinationReply.Replayed reply(int pending) {
    return new DestinationReply.Replayed(replayedAs, skipped, pending);
  }
}
