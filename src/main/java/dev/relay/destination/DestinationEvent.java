package dev.relay.destination;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.catalog.Outcome;
import dev.relay.catalog.OutgoingRequest;
import dev.relay.core.CborSerializable;
import dev.relay.delivery.DeliveryResponse;
import dev.relay.delivery.Exchange;
import dev.relay.destination.DestinationState.PendingAction;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What happened to a destination: every change to it and every step of every action, journaled by
 * {@link DestinationEntity}. The events are the audit trail, and the read side's only input.
 */
public sealed interface DestinationEvent extends CborSerializable {

  /**
   * Whether an event journaled under this serializer manifest (its class name, old names included)
   * is a step of one action: queued, replayed, attempted, discarded. Only these age out of the
   * journal (see {@code dev.relay.retention}); the creation, configuration and deletion of a
   * destination are what it is, and the list of destinations and the read side are rebuilt from them.
   */
  static boolean isActionRecord(String manifest) {
    int version = manifest.indexOf('#');
    String className = version < 0 ? manifest : manifest.substring(0, version);
    return ACTION_RECORDS.contains(RenamedClasses.RENAMED.getOrDefault(className, className));
  }

  /** The class names of {@link #isActionRecord}. */
  Set<String> ACTION_RECORDS =
      Set.of(
          ActionQueued.class.getName(),
          ActionReplayed.class.getName(),
          AttemptRecorded.class.getName(),
          ActionDiscarded.class.getName());

  record DestinationCreated(
      String id,
      String name,
      String type,
      ObjectNode settings,
      List<ActionConfig> actions,
      boolean enabled,
      Instant at)
      implements DestinationEvent {}

  /** The settings after the change, in full. */
  record SettingsUpdated(ObjectNode settings, Instant at) implements DestinationEvent {}

  record ActionsReplaced(List<ActionConfig> actions, Instant at) implements DestinationEvent {}

  record ActionUpdated(ActionConfig action, Instant at) implements DestinationEvent {}

  record DestinationEnabled(Instant at) implements DestinationEvent {}

  record DestinationDisabled(Instant at) implements DestinationEvent {}

  /** Journaled by older versions only: a connection belongs to its source now. */
  record SourceConnected(String sourceId, Instant at) implements DestinationEvent {}

  /** Journaled by older versions only: a connection belongs to its source now. */
  record SourceDisconnected(String sourceId, Instant at) implements DestinationEvent {}

  record DestinationDeleted(Instant at) implements DestinationEvent {}

  /** An event matched an action's trigger: the action is to be delivered. */
  record ActionQueued(
      String itemId,
      String actionId,
      String actionName,
      String sourceId,
      ObjectNode event,
      Instant queuedAt,
      boolean test)
      implements DestinationEvent {}

  /**
   * A finished action ({@code originalItemId}: failed or discarded) queued again as action {@code
   * itemId}, with a fresh retry budget; the original stays in the journal as it was.
   */
  record ActionReplayed(
      String itemId,
      String originalItemId,
      String actionId,
      String actionName,
      String sourceId,
      ObjectNode event,
      Instant queuedAt)
      implements DestinationEvent {}

  /**
   * One request to the destination and its result: the request as sent (credentials redacted), the
   * answer or the network error, and for each action it carried, the outcome.
   *
   * <p>{@code bodyAsBefore}: the request's body is left out (empty here) because it is the body
   * journaled with the previous attempt of every action it carried, byte for byte (a retry of the
   * same request), so that retries do not journal a body again. Older events have the body always.
   */
  record AttemptRecorded(
      String actionId,
      Instant startedAt,
      long durationMs,
      OutgoingRequest request,
      Optional<Integer> responseStatus,
      Optional<String> responseBody,
      Optional<String> error,
      List<ItemOutcome> items,
      boolean bodyAsBefore)
      implements DestinationEvent {

    /** This record with the request's body left out: the body of the actions' previous attempt. */
    AttemptRecorded withBodyAsBefore() {
      OutgoingRequest withoutBody = new OutgoingRequest(request.method(), request.url(), request.headers(), "");
      return new AttemptRecorded(
          actionId, startedAt, durationMs, withoutBody, responseStatus, responseBody, error, items, true);
    }

    /**
     * The hash of the body journaled here, which the actions it carried keep for their next attempt;
     * empty when the body is as before (their hash stays).
     */
    Optional<String> journaledBodyHash() {
      return bodyAsBefore ? Optional.empty() : Optional.of(PendingAction.bodyHashOf(request.body()));
    }

    /**
     * {@link #journaledBodyHash}, worked out only when this retries any of its actions, the only ones
     * that keep it: hashing every request's body was 5 % of the node's work per event.
     */
    Optional<String> bodyHashForRetries() {
      boolean retries = items.stream().anyMatch(item -> item.outcome() == Outcome.RETRY && item.nextAttemptAt().isPresent());
      return retries ? journaledBodyHash() : Optional.empty();
    }

    /** The record of {@code exchange}, which carried the actions with these outcomes. */
    static AttemptRecorded of(String actionId, Exchange exchange, List<ItemOutcome> outcomes) {
      return new AttemptRecorded(
          actionId,
          exchange.startedAt(),
          exchange.durationMs(),
          exchange.request(),
          exchange.response().map(DeliveryResponse::status),
          exchange.response().map(DeliveryResponse::bodyExcerpt),
          exchange.error(),
          outcomes,
          false);
    }
  }

  /** What an attempt meant for one action; {@code nextAttemptAt} is set when it is retried. */
  record ItemOutcome(
      String itemId, int attempt, Outcome outcome, Optional<Instant> nextAttemptAt)
      implements CborSerializable {}

  /**
   * Pending actions an older version kept in its snapshot and memory, moved into the pending table
   * (a page of them per event; {@code last} on the final page). From the last one on, the destination's
   * pending actions are in the table only. A destination created since journals one, empty, at once.
   */
  record PendingCarriedOver(List<DestinationState.PendingAction> actions, boolean last, Instant at)
      implements DestinationEvent {}

  /** Pending actions given up without delivery, e.g. because their action or destination went. */
  record ActionDiscarded(List<String> itemIds, String reason, Instant at) implements DestinationEvent {}
}
