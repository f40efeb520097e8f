package dev.relay.readside;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.catalog.Outcome;
import dev.relay.catalog.UrlMask;
import dev.relay.destination.DestinationConfig;
import dev.relay.destination.DestinationEvent.ActionDiscarded;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.destination.DestinationEvent.ActionReplayed;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.DestinationCreated;
import dev.relay.destination.DestinationEvent.DestinationDeleted;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.destination.DestinationEvent;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a group of journal events changes in the query tables, worked out in memory so that the
 * group is written with one batched statement per table. Pure: rows of actions the group does not
 * create are handed in by {@code load}.
 */
final class ActionLogChanges {

  /** Reads the stored rows of actions queued before the group. */
  interface Loader {
    Collection<Item> load(Set<String> itemIds) throws SQLException;
  }

  /** The stored configurations of the given destinations, those without one left out. */
  interface ConfigLoader {
    Map<String, DestinationConfig> load(Set<String> destinationIds) throws SQLException;
  }

  /**
   * The request bodies of the given actions' latest attempts stored before attempt {@code
   * beforeAttemptId}, by item; actions without one left out.
   */
  interface BodyLoader {
    Map<String, String> load(Set<String> itemIds, long beforeAttemptId) throws SQLException;
  }

  /** One journal event with what the projection knows about it. */
  record Journaled(String destinationId, long seq, DestinationEvent event) {}

  /** An action's row: the fixed part is set once, the rest follows its attempts. */
  static final class Item {
    final String itemId;
    final boolean created;
    final boolean test;
    String destinationId;
    long seq;
    String actionId;
    String actionName;
    String sourceId;
    String messageId;
    String eventType;
    String eventName;
    String userId;
    long queuedAt;
    String eventJson;
    /** The action this one replays (set once), and the latest replay of this one. */
    String replayOf;
    String replayedAs;

    ActionStatus status;
    int attempts;
    Integer lastStatus;
    String lastError;
    Long lastAttemptAt;
    Long nextAttemptAt;
    boolean changed;

    Item(String itemId, boolean created, boolean test) {
      this.itemId = itemId;
      this.created = created;
      this.test = test;
    }
  }

  record Attempt(
      long attemptId,
      String destinationId,
      String actionId,
      long startedAt,
      long durationMs,
      String method,
      String url,
      String headersJson,
      String body,
      Integer responseStatus,
      String responseBody,
      String error,
      int items) {}

  /** A destination created (with {@code createdAt}) or deleted in the group. */
  static final class Destination {
    Long createdAt;
    Long deletedAt;
    /** The configuration after this group; null when unknown (a row from before it was kept). */
    DestinationConfig config;
    boolean configChanged;
  }

  record AttemptItem(String itemId, long attemptId, int attempt, String outcome, Long nextAttemptAt) {}

  record MinuteKey(String destinationId, long minuteStart) implements Comparable<MinuteKey> {
    @Override
    public int compareTo(MinuteKey other) {
      int byDestination = destinationId.compareTo(other.destinationId);
      return byDestination != 0 ? byDestination : Long.compare(minuteStart, other.minuteStart);
    }
  }

  /** Counter increments of one destination and minute. */
  static final class Counts {
    long queued;
    long delivered;
    long failed;
    long retried;
    long discarded;
    /** Requests answered 429. */
    long throttled;
  }

  record LatencyKey(String destinationId, long minuteStart, int bucket) implements Comparable<LatencyKey> {
    @Override
    public int compareTo(LatencyKey other) {
      int byMinute = new MinuteKey(destinationId, minuteStart).compareTo(new MinuteKey(other.destinationId, other.minuteStart));
      return byMinute != 0 ? byMinute : Integer.compare(bucket, other.bucket);
    }
  }

  /** Longest text kept in an indexed column; longer values are cut, and filters are cut alike. */
  static final int INDEXED_TEXT = 255;

  private static final int ERROR_TEXT = 1000;

  final Map<String, Destination> destinations = new LinkedHashMap<>();
  final Map<String, Item> items = new LinkedHashMap<>();
  final List<Attempt> attempts = new ArrayList<>();
  final List<AttemptItem> attemptItems = new ArrayList<>();
  // Sorted, so that concurrent writers (a rebuild racing a projection) lock rows in the same order.
  final Map<MinuteKey, Counts> minutes = new TreeMap<>();
  final Map<LatencyKey, Long> latency = new TreeMap<>();
  /** The request body of each action's latest attempt, for attempts journaled with the body as before. */
  private final Map<String, String> lastBodies = new HashMap<>();

  private final ObjectMapper mapper;

  private ActionLogChanges(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * The changes of {@code events}, in journal order; {@code load} returns the stored rows of the
   * given actions (those queued before this group), missing ones left out.
   */
  static ActionLogChanges of(List<Journaled> events, Loader load, ObjectMapper mapper) throws SQLException {
    return of(events, load, ids -> Map.of(), mapper);
  }

  /** As above; {@code loadConfigs} returns the stored configurations of destinations changed here. */
  static ActionLogChanges of(List<Journaled> events, Loader load, ConfigLoader loadConfigs, ObjectMapper mapper)
      throws SQLException {
    return of(events, load, loadConfigs, (ids, before) -> Map.of(), mapper);
  }

  /**
   * As above; {@code loadBodies} returns the stored request bodies of actions whose attempt here
   * was journaled without its body, the body of their previous attempt.
   */
  static ActionLogChanges of(
      List<Journaled> events, Loader load, ConfigLoader loadConfigs, BodyLoader loadBodies, ObjectMapper mapper)
      throws SQLException {
    ActionLogChanges changes = new ActionLogChanges(mapper);
    Set<String> queuedHere = new LinkedHashSet<>();
    Set<String> earlier = new LinkedHashSet<>();
    Set<String> createdHere = new LinkedHashSet<>();
    Set<String> configuredEarlier = new LinkedHashSet<>();
    Set<String> attemptedHere = new HashSet<>();
    Set<String> bodiesEarlier = new LinkedHashSet<>();
    for (Journaled journaled : events) {
      if (journaled.event() instanceof AttemptRecorded attempt) {
        attempt.items().stream()
            .map(ItemOutcome::itemId)
            .filter(id -> attempt.bodyAsBefore() && !attemptedHere.contains(id))
            .forEach(bodiesEarlier::add);
        attempt.items().forEach(item -> attemptedHere.add(item.itemId()));
      }
      if (journaled.event() instanceof DestinationCreated) {
        createdHere.add(journaled.destinationId());
      } else if (DestinationConfig.changes(journaled.event()) && !createdHere.contains(journaled.destinationId())) {
        configuredEarlier.add(journaled.destinationId());
      } else if (journaled.event() instanceof ActionQueued queued) {
        queuedHere.add(queued.itemId());
      } else if (journaled.event() instanceof ActionReplayed replayed) {
        queuedHere.add(replayed.itemId());
        if (!queuedHere.contains(replayed.originalItemId())) {
          earlier.add(replayed.originalItemId());
        }
      } else if (journaled.event() instanceof AttemptRecorded attempt) {
        attempt.items().stream().map(ItemOutcome::itemId).filter(id -> !queuedHere.contains(id)).forEach(earlier::add);
      } else if (journaled.event() instanceof ActionDiscarded discarded) {
        discarded.itemIds().stream().filter(id -> !queuedHere.contains(id)).forEach(earlier::add);
      }
    }
    if (!earlier.isEmpty()) {
      load.load(earlier).forEach(item -> changes.items.put(item.itemId, item));
    }
    if (!configuredEarlier.isEmpty()) {
      loadConfigs.load(configuredEarlier)
          .forEach((id, config) -> changes.destinations.computeIfAbsent(id, d -> new Destination()).config = config);
    }
    if (!bodiesEarlier.isEmpty()) {
      changes.lastBodies.putAll(loadBodies.load(bodiesEarlier, events.get(0).seq()));
    }
    events.forEach(changes::apply);
    return changes;
  }

  boolean isEmpty() {
    return destinations.isEmpty() && items.isEmpty() && attempts.isEmpty() && minutes.isEmpty();
  }

  private void apply(Journaled journaled) {
    if (journaled.event() instanceof ActionQueued queued) {
      queued(journaled, queued.itemId(), queued.actionId(), queued.actionName(), queued.sourceId(), queued.event(),
          queued.queuedAt(), queued.test());
    } else if (journaled.event() instanceof ActionReplayed replayed) {
      replayed(journaled, replayed);
    } else if (journaled.event() instanceof AttemptRecorded attempt) {
      attempted(journaled, attempt);
    } else if (journaled.event() instanceof ActionDiscarded discarded) {
      discarded(journaled, discarded);
    } else if (journaled.event() instanceof DestinationCreated created) {
      Destination destination = destinations.computeIfAbsent(journaled.destinationId(), id -> new Destination());
      destination.createdAt = created.at().toEpochMilli();
      destination.config = DestinationConfig.of(created);
      destination.configChanged = true;
    } else if (DestinationConfig.changes(journaled.event())) {
      Destination destination = destinations.computeIfAbsent(journaled.destinationId(), id -> new Destination());
      if (destination.config != null) {
        destination.config = destination.config.apply(journaled.event());
        destination.configChanged = true;
      }
    } else if (journaled.event() instanceof DestinationDeleted deleted) {
      destinations.computeIfAbsent(journaled.destinationId(), id -> new Destination()).deletedAt = deleted.at().toEpochMilli();
    }
    // Other events change no query table.
  }

  private Item queued(
      Journaled journaled, String itemId, String actionId, String actionName, String sourceId, JsonNode event,
      Instant queuedAt, boolean test) {
    Item item = new Item(itemId, true, test);
    item.destinationId = journaled.destinationId();
    item.seq = journaled.seq();
    item.actionId = actionId;
    item.actionName = actionName;
    item.sourceId = sourceId;
    item.messageId = indexed(event.path("messageId").asText(""));
    item.eventType = indexed(event.path("type").textValue());
    item.eventName = indexed(eventName(event));
    item.userId = indexed(event.path("userId").isValueNode() ? event.path("userId").asText() : null);
    item.queuedAt = queuedAt.toEpochMilli();
    item.eventJson = json(event);
    item.status = ActionStatus.QUEUED;
    item.nextAttemptAt = item.queuedAt;
    items.put(item.itemId, item);
    if (!item.test) {
      counts(journaled.destinationId(), queuedAt).queued++;
    }
    return item;
  }

  /** A new action linked both ways to the one it replays, which keeps its status. */
  private void replayed(Journaled journaled, ActionReplayed replayed) {
    Item item = queued(journaled, replayed.itemId(), replayed.actionId(), replayed.actionName(), replayed.sourceId(),
        replayed.event(), replayed.queuedAt(), false);
    item.replayOf = replayed.originalItemId();
    Item original = items.get(replayed.originalItemId());
    if (original != null) {
      original.replayedAs = replayed.itemId();
      original.changed = true;
    }
  }

  /** The name of a track event or of a page or screen view. */
  static String eventName(JsonNode event) {
    JsonNode name = event.path("type").asText().equals("track") ? event.path("event") : event.path("name");
    return name.isValueNode() ? name.asText() : null;
  }

  private void attempted(Journaled journaled, AttemptRecorded attempt) {
    long attemptId = journaled.seq();
    long startedAt = attempt.startedAt().toEpochMilli();
    String body = attempt.bodyAsBefore() ? previousBody(attempt) : attempt.request().body();
    attempt.items().forEach(item -> lastBodies.put(item.itemId(), body));
    attempts.add(
        new Attempt(
            attemptId,
            journaled.destinationId(),
            attempt.actionId(),
            startedAt,
            attempt.durationMs(),
            attempt.request().method(),
            // Attempts journaled before URLs were masked when recorded get masked here (on a rebuild).
            UrlMask.mask(attempt.request().url()),
            json(attempt.request().headers()),
            body,
            attempt.responseStatus().orElse(null),
            attempt.responseBody().orElse(null),
            attempt.error().map(e -> cut(e, 4000)).orElse(null),
            attempt.items().size()));
    boolean delivered = false;
    boolean counted = false;
    for (ItemOutcome outcome : attempt.items()) {
      Long next = outcome.nextAttemptAt().map(Instant::toEpochMilli).orElse(null);
      attemptItems.add(new AttemptItem(outcome.itemId(), attemptId, outcome.attempt(), outcome.outcome().wireName(), next));
      Item item = items.get(outcome.itemId());
      // An action discarded while its request was in flight stays discarded, as in the entity;
      // the request is in its attempt log all the same.
      if (item == null || item.status.isFinal()) {
        continue;
      }
      item.attempts = outcome.attempt();
      item.lastAttemptAt = startedAt;
      item.lastStatus = attempt.responseStatus().orElse(null);
      item.lastError = outcome.outcome() == Outcome.DELIVERED ? null : cut(lastError(attempt), ERROR_TEXT);
      item.nextAttemptAt = outcome.outcome() == Outcome.RETRY ? next : null;
      item.status =
          switch (outcome.outcome()) {
            case DELIVERED -> ActionStatus.DELIVERED;
            case RETRY -> ActionStatus.RETRYING;
            case FAILED -> ActionStatus.FAILED;
          };
      item.changed = true;
      if (!item.test) {
        Counts counts = counts(journaled.destinationId(), attempt.startedAt());
        if (!counted && attempt.responseStatus().filter(status -> status == 429).isPresent()) {
          counts.throttled++; // once per request, however many actions it carried
        }
        counted = true;
        switch (outcome.outcome()) {
          case DELIVERED -> {
            counts.delivered++;
            delivered = true;
          }
          case RETRY -> counts.retried++;
          case FAILED -> counts.failed++;
        }
      }
    }
    if (delivered) {
      latency.merge(
          new LatencyKey(journaled.destinationId(), minuteOf(startedAt), LatencyBuckets.bucketOf(attempt.durationMs())),
          1L,
          Long::sum);
    }
  }

  /**
   * The body of an attempt journaled without it: the body of its actions' previous attempt (the
   * same for each of them). Empty if none is known any more (the journal kept the attempt but no
   * longer the earlier one, on a rebuild past the retention horizon).
   */
  private String previousBody(AttemptRecorded attempt) {
    return attempt.items().stream()
        .map(item -> lastBodies.get(item.itemId()))
        .filter(Objects::nonNull)
        .findFirst()
        .orElse("");
  }

  private static String lastError(AttemptRecorded attempt) {
    if (attempt.error().isPresent()) {
      return attempt.error().get();
    }
    return attempt.responseStatus().map(status -> "destination answered " + status).orElse(null);
  }

  private void discarded(Journaled journaled, ActionDiscarded discarded) {
    for (String itemId : discarded.itemIds()) {
      Item item = items.get(itemId);
      if (item == null || item.status.isFinal()) {
        continue;
      }
      item.status = ActionStatus.DISCARDED;
      item.nextAttemptAt = null;
      item.lastError = cut("discarded: " + discarded.reason(), ERROR_TEXT);
      item.changed = true;
      if (!item.test) {
        counts(journaled.destinationId(), discarded.at()).discarded++;
      }
    }
  }

  private Counts counts(String destinationId, Instant at) {
    return minutes.computeIfAbsent(new MinuteKey(destinationId, minuteOf(at.toEpochMilli())), k -> new Counts());
  }

  static long minuteOf(long epochMillis) {
    return Math.floorDiv(epochMillis, 60_000L) * 60_000L;
  }

  static String indexed(String text) {
    return cut(text, INDEXED_TEXT);
  }

  private static String cut(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max);
  }

  private String json(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
