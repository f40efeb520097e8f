package dev.relay.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.relay.core.Problem;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverviewQueryTest {

  private static final Instant NOW = Instant.parse("2025-06-01T12:34:56.789Z");

  @Test
  void theDefaultIsTheLast24HoursInHours() {
    OverviewQuery query = OverviewQuery.parse(Map.of(), NOW);
    assertEquals(Instant.parse("2025-05-31T12:34:00Z"), query.from());
    assertEquals(NOW, query.to());
    assertEquals("1h", query.interval());
  }

  @Test
  void windowsUpTo6HoursDefaultToMinutes() {
    assertEquals("1m", OverviewQuery.parse(Map.of("from", "2025-06-01T06:34:56.789Z"), NOW).interval());
    assertEquals("1h", OverviewQuery.parse(Map.of("from", "2025-06-01T06:34:00Z"), NOW).interval());
    assertEquals(300_000, OverviewQuery.parse(Map.of("from", "2025-06-01T12:00:00+02:00", "interval", "5m"), NOW).intervalMillis());
  }

  @Test
  void theReportAddsMinutesIntoAlignedIntervalsAndTotals() {
    OverviewQuery query =
        OverviewQuery.parse(Map.of("from", "2025-06-01T10:07:00Z", "to", "2025-06-01T12:00:00Z", "interval", "1h"), NOW);
    ActionLogViews.Overview overview =
        query.report(
            new ActionLogViews.Counters(
                List.of(
                    new ActionLogViews.Minute(Instant.parse("2025-06-01T10:30:00Z").toEpochMilli(), 5, 3, 1, 2, 0, 1),
                    new ActionLogViews.Minute(Instant.parse("2025-06-01T11:59:00Z").toEpochMilli(), 4, 4, 0, 0, 1, 0)),
                Map.of()));
    assertEquals(new ActionLogViews.Totals(9, 7, 1, 2, 1, 1), overview.totals());
    assertEquals(2, overview.series().size());
    assertEquals(new ActionLogViews.Point("2025-06-01T10:00:00.000Z", 5, 3, 1, 2, 0, 1), overview.series().get(0));
    assertEquals(new ActionLogViews.Point("2025-06-01T11:00:00.000Z", 4, 4, 0, 0, 1, 0), overview.series().get(1));
    assertNull(overview.latencyMs().p50());
  }

  @Test
  void tooManyPointsOrAnUnknownIntervalIsRefused() {
    assertEquals(Problem.Kind.INVALID, assertThrows(Problem.class, () -> OverviewQuery.parse(Map.of("interval", "1m", "from", "2025-01-01T00:00:00Z"), NOW)).kind());
    assertEquals(Problem.Kind.INVALID, assertThrows(Problem.class, () -> OverviewQuery.parse(Map.of("interval", "90s"), NOW)).kind());
    assertEquals(Problem.Kind.INVALID, assertThrows(Problem.class, () -> OverviewQuery.parse(Map.of("to", "2025-05-01T00:00:00Z", "from", "2025-06-01T00:00:00Z"), NOW)).kind());
  }
}
