package dev.relay.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.catalog.Outcome;
import dev.relay.catalog.OutgoingRequest;
import dev.relay.destination.DestinationEvent.ActionDiscarded;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.destination.DestinationEvent.ActionReplayed;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.readside.ActionLogChanges.Journaled;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How journal events fold into rows and counters, without a database. */
class ActionLogChangesTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2025-06-01T10:00:30Z");
  private static final String DST = "dst_1";

  @Test
  void anActionQueuedRetriedAndDeliveredInOneGroupIsOneRowInItsFinalState() throws Exception {
    ActionLogChanges changes =
        ActionLogChanges.of(
            List.of(
                queued(1, "itm_a", false),
                attempt(2, 120, 503, item("itm_a", 1, Outcome.RETRY, T0.plusSeconds(1))),
                attempt(3, 40, 200, item("itm_a", 2, Outcome.DELIVERED, null))),
            ids -> { throw new AssertionError("nothing to load: queued in this group"); },
            MAPPER);
    ActionLogChanges.Item row = changes.items.get("itm_a");
    assertEquals(ActionStatus.DELIVERED, row.status);
    assertEquals(2, row.attempts);
    assertEquals(200, row.lastStatus);
    assertNull(row.lastError);
    assertNull(row.nextAttemptAt);
    assertEquals("Order Completed", row.eventName);
    assertEquals(2, changes.attempts.size());
    assertEquals(List.of(2L, 3L), changes.attemptItems.stream().map(ActionLogChanges.AttemptItem::attemptId).toList());
    ActionLogChanges.Counts minute = changes.minutes.get(new ActionLogChanges.MinuteKey(DST, T0.toEpochMilli() - 30_000));
    assertEquals(List.of(1L, 1L, 0L, 1L, 0L), List.of(minute.queued, minute.delivered, minute.failed, minute.retried, minute.discarded));
    assertEquals(Map.of(new ActionLogChanges.LatencyKey(DST, T0.toEpochMilli() - 30_000, LatencyBuckets.bucketOf(40)), 1L), changes.latency);
  }

  @Test
  void testActionsAreRowsButNeverCounted() throws Exception {
    ActionLogChanges changes =
        ActionLogChanges.of(
            List.of(queued(1, "itm_t", true), attempt(2, 10, 200, item("itm_t", 1, Outcome.DELIVERED, null))),
            ids -> List.of(),
            MAPPER);
    assertTrue(changes.items.get("itm_t").test);
    assertTrue(changes.minutes.isEmpty());
    assertTrue(changes.latency.isEmpty());
  }

  @Test
  void earlierActionsAreLoadedAndAFinalStatusNeverChanges() throws Exception {
    List<Set<String>> loaded = new ArrayList<>();
    ActionLogChanges changes =
        ActionLogChanges.of(
            List.of(
                new Journaled(DST, 7, new ActionDiscarded(List.of("itm_old", "itm_done"), "action removed or disabled", T0)),
                attempt(8, 10, 200, item("itm_old", 3, Outcome.DELIVERED, null))),
            ids -> {
              loaded.add(ids);
              return List.of(stored("itm_old", ActionStatus.RETRYING), stored("itm_done", ActionStatus.DELIVERED));
            },
            MAPPER);
    assertEquals(List.of(Set.of("itm_old", "itm_done")), loaded);
    assertEquals(ActionStatus.DISCARDED, changes.items.get("itm_old").status, "a late attempt does not undo the discard");
    assertTrue(changes.items.get("itm_old").changed);
    assertEquals(ActionStatus.DELIVERED, changes.items.get("itm_done").status);
    assertFalse(changes.items.get("itm_done").changed);
    ActionLogChanges.Counts minute = changes.minutes.values().iterator().next();
    assertEquals(1, minute.discarded);
    assertEquals(0, minute.delivered);
    assertEquals(1, changes.attemptItems.size(), "the late attempt is still in the log");
  }

  @Test
  void aReplayIsANewRowLinkedBothWaysWhileTheOriginalKeepsItsStatus() throws Exception {
    List<Set<String>> loaded = new ArrayList<>();
    ActionLogChanges changes =
        ActionLogChanges.of(
            List.of(
                new Journaled(DST, 9, new ActionReplayed(
                    "itm_new", "itm_failed", "act_1", "Send", "src_1",
                    (com.fasterxml.jackson.databind.node.ObjectNode) MAPPER.readTree("{\"type\":\"identify\",\"userId\":\"u1\",\"messageId\":\"m-1\"}"),
                    T0)),
                attempt(10, 10, 200, item("itm_new", 1, Outcome.DELIVERED, null))),
            ids -> {
              loaded.add(ids);
              return List.of(stored("itm_failed", ActionStatus.FAILED));
            },
            MAPPER);
    assertEquals(List.of(Set.of("itm_failed")), loaded);
    ActionLogChanges.Item replay = changes.items.get("itm_new");
    assertTrue(replay.created);
    assertEquals("itm_failed", replay.replayOf);
    assertEquals(ActionStatus.DELIVERED, replay.status);
    assertEquals("m-1", replay.messageId);
    ActionLogChanges.Item original = changes.items.get("itm_failed");
    assertEquals("itm_new", original.replayedAs);
    assertTrue(original.changed);
    assertEquals(ActionStatus.FAILED, original.status, "the original stays as it was");
    assertEquals(2, original.attempts);
    ActionLogChanges.Counts minute = changes.minutes.values().iterator().next();
    assertEquals(List.of(1L, 1L), List.of(minute.queued, minute.delivered), "a replay is queued volume like any action");
  }

  @Test
  void anAttemptJournaledWithTheBodyAsBeforeShowsThePreviousAttemptsBody() throws Exception {
    // Within a group: the body of the attempt before it in the group.
    ActionLogChanges group =
        ActionLogChanges.of(
            List.of(
                queued(1, "itm_a", false),
                attempt(2, "{\"v\":1}", false, item("itm_a", 1, Outcome.RETRY, T0.plusSeconds(1))),
                attempt(3, "", true, item("itm_a", 2, Outcome.RETRY, T0.plusSeconds(2)))),
            ids -> List.of(),
            ids -> Map.of(),
            (ids, before) -> { throw new AssertionError("nothing to load: the earlier attempt is in this group"); },
            MAPPER);
    assertEquals(List.of("{\"v\":1}", "{\"v\":1}"), group.attempts.stream().map(ActionLogChanges.Attempt::body).toList());

    // In a later group: the stored body of the action's latest attempt before the group.
    List<Long> before = new ArrayList<>();
    ActionLogChanges later =
        ActionLogChanges.of(
            List.of(
                attempt(4, "", true, item("itm_a", 3, Outcome.RETRY, T0.plusSeconds(4))),
                attempt(5, "{\"v\":2}", false, item("itm_a", 4, Outcome.RETRY, T0.plusSeconds(8))),
                attempt(6, "", true, item("itm_a", 5, Outcome.DELIVERED, null))),
            ids -> List.of(stored("itm_a", ActionStatus.RETRYING)),
            ids -> Map.of(),
            (ids, beforeAttempt) -> {
              assertEquals(Set.of("itm_a"), ids);
              before.add(beforeAttempt);
              return Map.of("itm_a", "{\"v\":1}");
            },
            MAPPER);
    assertEquals(List.of(4L), before, "loaded once, before the group's first event");
    assertEquals(
        List.of("{\"v\":1}", "{\"v\":2}", "{\"v\":2}"),
        later.attempts.stream().map(ActionLogChanges.Attempt::body).toList(),
        "a changed body is journaled and then stands for the retries after it");
  }

  private static Journaled attempt(long seq, String body, boolean bodyAsBefore, ItemOutcome... items) {
    return new Journaled(
        DST,
        seq,
        new AttemptRecorded(
            "act_1", T0, 10, new OutgoingRequest("POST", "http://x/hook", Map.of(), body),
            Optional.of(503), Optional.of("{}"), Optional.empty(), List.of(items), bodyAsBefore));
  }

  private static Journaled queued(long seq, String itemId, boolean test) throws Exception {
    return new Journaled(
        DST,
        seq,
        new ActionQueued(
            itemId, "act_1", "Send", "src_1",
            (com.fasterxml.jackson.databind.node.ObjectNode)
                MAPPER.readTree("{\"type\":\"track\",\"event\":\"Order Completed\",\"messageId\":\"m-" + itemId + "\",\"userId\":\"u1\"}"),
            T0, test));
  }

  @Test
  void anAttemptJournaledWithAnUnmaskedUrlIsShownMasked() throws Exception {
    Journaled old =
        new Journaled(
            DST, 2,
            new AttemptRecorded(
                "act_1", T0, 5, new OutgoingRequest("POST", "https://x.test/hook?api_key=sk_old", Map.of(), "{}"),
                Optional.of(200), Optional.of("{}"), Optional.empty(), List.of(item("itm_a", 1, Outcome.DELIVERED, null)), false));
    ActionLogChanges changes = ActionLogChanges.of(List.of(queued(1, "itm_a", false), old), ids -> List.of(), MAPPER);
    assertEquals("https://x.test/hook?api_key=********", changes.attempts.get(0).url());
  }

  private static Journaled attempt(long seq, long durationMs, int status, ItemOutcome... items) {
    return new Journaled(
        DST,
        seq,
        new AttemptRecorded(
            "act_1", T0, durationMs, new OutgoingRequest("POST", "http://x/hook", Map.of("Authorization", "***"), "{}"),
            Optional.of(status), Optional.of("{}"), Optional.empty(), List.of(items), false));
  }

  private static ItemOutcome item(String itemId, int attempt, Outcome outcome, Instant next) {
    return new ItemOutcome(itemId, attempt, outcome, Optional.ofNullable(next));
  }

  private static ActionLogChanges.Item stored(String itemId, ActionStatus status) {
    ActionLogChanges.Item item = new ActionLogChanges.Item(itemId, false, false);
    item.status = status;
    item.attempts = 2;
    return item;
  }
}
