package dev.relay.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.CborSerializable;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * What a destination can be asked: {@link DestinationEntity}'s protocol as the rest of the node
 * sees it. The entity's messages to itself ({@link InternalCommand}) are its own.
 */
public sealed interface DestinationCommand extends CborSerializable
    permits DestinationCommand.Create,
        DestinationCommand.Get,
        DestinationCommand.UpdateSettings,
        DestinationCommand.ReplaceActions,
        DestinationCommand.UpdateAction,
        DestinationCommand.Enable,
        DestinationCommand.Disable,
        DestinationCommand.Delete,
        DestinationCommand.Accept,
        DestinationCommand.SendTest,
        DestinationCommand.Replay,
        InternalCommand {

  /** Creates the destination; without {@code actions} the type's default actions are used. */
  record Create(
      String name,
      String type,
      ObjectNode settings,
      Optional<List<ActionConfig>> actions,
      boolean enabled,
      ActorRef<DestinationReply> replyTo)
      implements DestinationCommand {}

  record Get(ActorRef<DestinationReply> replyTo) implements DestinationCommand {}

  /** Applies a JSON merge patch to the settings. */
  record UpdateSettings(ObjectNode patch, ActorRef<DestinationReply> replyTo) implements DestinationCommand {}

  record ReplaceActions(List<ActionConfig> actions, ActorRef<DestinationReply> replyTo)
      implements DestinationCommand {}

  record UpdateAction(
      String actionId,
      Optional<Boolean> enabled,
      Optional<String> trigger,
      Optional<JsonNode> mapping,
      ActorRef<DestinationReply> replyTo)
      implements DestinationCommand {}

  record Enable(ActorRef<DestinationReply> replyTo) implements DestinationCommand {}

  record Disable(ActorRef<DestinationReply> replyTo) implements DestinationCommand {}

  /** Deletes the destination; its pending actions are discarded. */
  record Delete(ActorRef<DestinationReply> replyTo) implements DestinationCommand {}

  /**
   * Source events to act on. Replied to once the matching actions are journaled (or none matched),
   * which is what ingest's acknowledgement waits for.
   */
  record Accept(List<Incoming> events, ActorRef<StatusReply<DestinationReply.Accepted>> replyTo)
      implements DestinationCommand {}

  /** A source event and the source it came from. */
  record Incoming(String sourceId, ObjectNode event) implements CborSerializable {}

  /**
   * Sends an event to each enabled action whose trigger matches, once, for real, and answers with
   * what was sent and received. Journaled as test traffic; never retried, never de-duplicated.
   */
  record SendTest(ObjectNode event, ActorRef<TestReport> replyTo) implements DestinationCommand {}

  /**
   * Queues finished actions again, each as a new action that replays the original, with a fresh
   * retry budget and mapped with the current settings and actions when attempted. The read side
   * keeps the source events, which the entity forgets once an action finished, so they come with
   * the command. An action removed or disabled since, or an original still pending, is skipped.
   * Without items it only answers how many actions are pending (a redrive waits on that).
   */
  record Replay(List<ReplayOf> items, ActorRef<DestinationReply> replyTo) implements DestinationCommand {}

  /** A finished action to replay: its id, action and source, and the source event. */
  record ReplayOf(String itemId, String actionId, String sourceId, ObjectNode event) implements CborSerializable {}
}
