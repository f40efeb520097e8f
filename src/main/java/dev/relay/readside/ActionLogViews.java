package dev.relay.readside;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** The action journal and overview as the API shows them. */
final class ActionLogViews {

  private ActionLogViews() {}

  /** One action; {@code action} is the action's name, {@code event} the event's name. */
  record Item(
      String id,
      String messageId,
      String action,
      String actionId,
      String eventType,
      String event,
      String userId,
      String status,
      int attempts,
      Integer lastStatus,
      String lastError,
      String queuedAt,
      String lastAttemptAt,
      String nextAttemptAt,
      boolean test,
      String replayOf,
      String replayedAs) {}

  record Page(List<Item> items, String nextCursor) {}

  record Request(String method, String url, JsonNode headers, String body) {}

  record Response(Integer status, String body) {}

  /** One attempt of one action; {@code requestItems} is how many actions its request carried. */
  record Attempt(
      int attempt,
      String at,
      long durationMs,
      Request request,
      Response response,
      String outcome,
      String error,
      String nextAttemptAt,
      int requestItems) {}

  /** An action with its source event and attempt log. */
  record Detail(Item item, JsonNode event, List<Attempt> attemptLog) {}

  record Totals(long queued, long delivered, long failed, long retrying, long discarded, long throttled) {}

  record Latency(Long p50, Long p95, Long p99) {}

  record Point(String t, long queued, long delivered, long failed, long retried, long discarded, long throttled) {}

  record Overview(
      String from, String to, String interval, Totals totals, Latency latencyMs, List<Point> series) {}

  /** A minute's counters as stored. */
  record Minute(long start, long queued, long delivered, long failed, long retried, long discarded, long throttled) {}

  /** The stored counters of a window: its minutes and its delivered requests per latency bucket. */
  record Counters(List<Minute> minutes, Map<Integer, Long> latencyBuckets) {}
}
