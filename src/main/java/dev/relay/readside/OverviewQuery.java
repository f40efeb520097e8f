package dev.relay.readside;

import dev.relay.core.Problem;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The window and interval of {@code GET /api/destinations/{id}/overview}, validated. Defaults: the
 * last 24 hours; 1-minute intervals for windows up to 6 hours, else 1-hour ones. Counters are kept
 * per minute, so the window starts at the minute {@code from} falls in.
 */
record OverviewQuery(Instant from, Instant to, long intervalMillis, String interval) {

  static final int MAX_POINTS = 2_000;
  private static final Duration DEFAULT_WINDOW = Duration.ofHours(24);
  private static final Duration FINE_UP_TO = Duration.ofHours(6);
  private static final Pattern INTERVAL = Pattern.compile("([1-9][0-9]{0,4})([mhd])");
  private static final Set<String> KNOWN = Set.of("from", "to", "interval");

  static OverviewQuery parse(Map<String, String> params, Instant now) {
    ActionLogQuery.rejectUnknown(params, KNOWN);
    Optional<Instant> givenFrom = ActionLogQuery.time(params, "from");
    Optional<Instant> givenTo = ActionLogQuery.time(params, "to");
    Instant to = givenTo.orElse(now);
    Instant from = givenFrom.orElse(to.minus(DEFAULT_WINDOW));
    if (!from.isBefore(to)) {
      throw Problem.invalid("from: must be before to");
    }
    Optional<String> interval = ActionLogQuery.text(params, "interval");
    String name =
        interval.orElse(Duration.between(from, to).compareTo(FINE_UP_TO) <= 0 ? "1m" : "1h");
    from = Instant.ofEpochMilli(ActionLogChanges.minuteOf(from.toEpochMilli()));
    long millis = intervalMillis(name);
    long points = (to.toEpochMilli() - from.toEpochMilli() + millis - 1) / millis;
    if (points > MAX_POINTS) {
      throw Problem.invalid(
          "interval: " + name + " makes " + points + " points in this window; at most " + MAX_POINTS);
    }
    return new OverviewQuery(from, to, millis, name);
  }

  private static long intervalMillis(String name) {
    Matcher matcher = INTERVAL.matcher(name);
    if (!matcher.matches()) {
      throw Problem.invalid("interval: '" + name + "' is not a duration such as 1m, 5m, 1h or 1d");
    }
    long count = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "m" -> count * 60_000L;
      case "h" -> count * 3_600_000L;
      default -> count * 86_400_000L;
    };
  }

  /** The start of the interval that holds {@code minuteStart}: intervals are aligned on UTC. */
  long intervalOf(long minuteStart) {
    return Math.floorDiv(minuteStart, intervalMillis) * intervalMillis;
  }

  /** The overview of these stored counters (those of this query's window). */
  ActionLogViews.Overview report(ActionLogViews.Counters counters) {
    long queued = 0, delivered = 0, failed = 0, retried = 0, discarded = 0, throttled = 0;
    Map<Long, long[]> byInterval = new TreeMap<>();
    for (long t = intervalOf(from.toEpochMilli()); t < to.toEpochMilli(); t += intervalMillis) {
      byInterval.put(t, new long[6]);
    }
    for (ActionLogViews.Minute minute : counters.minutes()) {
      queued += minute.queued();
      delivered += minute.delivered();
      failed += minute.failed();
      retried += minute.retried();
      discarded += minute.discarded();
      throttled += minute.throttled();
      long[] point = byInterval.computeIfAbsent(intervalOf(minute.start()), t -> new long[6]);
      point[0] += minute.queued();
      point[1] += minute.delivered();
      point[2] += minute.failed();
      point[3] += minute.retried();
      point[4] += minute.discarded();
      point[5] += minute.throttled();
    }
    List<ActionLogViews.Point> series = new ArrayList<>(byInterval.size());
    byInterval.forEach(
        (t, p) -> series.add(new ActionLogViews.Point(UtcTimes.format(t), p[0], p[1], p[2], p[3], p[4], p[5])));

    long[] buckets = new long[LatencyBuckets.COUNT];
    counters.latencyBuckets().forEach((bucket, requests) -> buckets[Math.min(bucket, LatencyBuckets.COUNT - 1)] += requests);
    ActionLogViews.Latency latency =
        new ActionLogViews.Latency(
            boxed(LatencyBuckets.percentile(buckets, 0.50)),
            boxed(LatencyBuckets.percentile(buckets, 0.95)),
            boxed(LatencyBuckets.percentile(buckets, 0.99)));
    return new ActionLogViews.Overview(
        UtcTimes.format(from.toEpochMilli()),
        UtcTimes.format(to.toEpochMilli()),
        interval,
        new ActionLogViews.Totals(queued, delivered, failed, retried, discarded, throttled),
        latency,
        series);
  }

  private static Long boxed(OptionalLong value) {
    return value.isPresent() ? value.getAsLong() : null;
  }
}
