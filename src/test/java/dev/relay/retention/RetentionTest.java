package dev.relay.retention;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.destination.DestinationCommand;
import dev.relay.destination.DestinationEntity;
import dev.relay.destination.DestinationEvent;
import dev.relay.destination.DestinationReply;
import dev.relay.testing.Backend;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retention sweep deletes what is past the horizon and nothing any reader still needs: on a real
 * node, traffic before a cutoff (destination A) and after it (destination B), a sweep as if a period
 * had passed since the cutoff, then a restart and a read-side rebuild. Runs on H2 and PostgreSQL.
 */
abstract class RetentionTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration PERIOD = Duration.ofDays(30);

  abstract Backend backend();

  @TempDir Path dataDir;

  /**
   * A snapshot every 5 events, so that a handful of events leaves events below and above snapshots;
   * the node's own sweeper sweeps at once (with the real clock: nothing is 30 days old).
   */
  private static Config config() {
    return ConfigFactory.parseMap(Map.of("relay.delivery.snapshot-every", 5, "relay.retention.initial-delay", "0s"));
  }

  /** One row of event_journal. */
  record Row(long ordering, String persistenceId, long seq, long written, String manifest) {
    boolean actionRecord() {
      return DestinationEvent.isActionRecord(manifest);
    }
  }

  @Test
  void aSweepDeletesWhatIsOldAndNeededByNothingAndKeepsWhatIsYoungOrNeeded() throws Exception {
    try (Backend.Storage storage = backend().open(dataDir);
        StandInDestination standIn = StandInDestination.start()) {
      String a;
      String b;
      String writeKey;
      Instant cutoff;
      long queuedOfAKept;
      try (TestNode node = TestNode.start(storage, config())) {
        await(WAIT, "the node is ready", () -> node.management("/ready") == 200);
        await(WAIT, "the cluster's sweeper reports a sweep in /metrics",
            () -> scrape(node).contains("relay_retention_deleted_rows_total{table=\"event_journal\"} 0.0"));
        TestNode.Answer source = node.admin("POST", "/api/sources", Map.of("name", "app", "type", "server"));
        writeKey = source.json().path("writeKey").asText();
        a = webhook(node, standIn.url("/a"));
        b = webhook(node, standIn.url("/b"));
        assertEquals(200, node.admin("PATCH", "/api/destinations/" + a + "/settings", Map.of("url", standIn.url("/a2"))).status());
        assertEquals(200, node.admin("PUT", "/api/destinations/" + a + "/sources/" + source.json().path("id").asText()).status());

        // Before the cutoff: A's traffic, through ingest.
        for (int i = 0; i < 8; i++) {
          track(node, writeKey, "old-" + i);
        }
        awaitItems(node, a, 8, "delivered");
        cutoff = afterTheClockMoved();

        // After it: B's traffic.
        accept(node, b, 8, "young");
        awaitItems(node, b, 8, "delivered");

        List<Row> before = journal(node);
        Map<String, List<long[]>> snapshotsBefore = snapshots(node);
        long snapshotA = latest(snapshotsBefore.get(pid(a)));
        long snapshotB = latest(snapshotsBefore.get(pid(b)));
        long highestA = rowsOf(before, a).stream().mapToLong(Row::seq).max().orElseThrow();
        List<Row> oldOfA = rowsOf(before, a);
        assertTrue(oldOfA.stream().allMatch(r -> r.written() < cutoff.toEpochMilli()), "setup: A's events all before the cutoff");
        assertTrue(oldOfA.stream().anyMatch(r -> r.actionRecord() && r.seq() <= snapshotA), "setup: action records below A's snapshot");
        assertTrue(oldOfA.stream().anyMatch(r -> r.seq() > snapshotA), "setup: A has events after its latest snapshot " + oldOfA);
        assertTrue(snapshotsBefore.get(pid(a)).size() >= 2, "setup: A has an older snapshot");
        assertTrue(rowsOf(before, b).stream().anyMatch(r -> r.actionRecord() && r.seq() <= snapshotB), "setup: B has a snapshot");
        insertOldCounters(node, a, cutoff);

        Retention.Report report =
            new Retention(node.node().database().dataSource(), node.node().settings().retention(), new SimpleMeterRegistry())
                .sweep(cutoff.plus(PERIOD));
        assertEquals(cutoff, report.cutoff());

        // The journal: A's action records up to its latest snapshot went (but its highest event), with
        // their tags; its creation and configuration, its events after the snapshot, B's young
        // events (below B's snapshot too) and every source event stayed.
        List<Row> gone =
            before.stream()
                .filter(r -> r.persistenceId().equals(pid(a)) && r.actionRecord() && r.seq() <= snapshotA && r.seq() < highestA)
                .toList();
        List<Row> expected = before.stream().filter(r -> !gone.contains(r)).toList();
        assertEquals(expected, journal(node));
        queuedOfAKept = rowsOf(expected, a).stream().filter(r -> r.manifest().endsWith("$ActionQueued")).count();
        assertEquals(gone.size(), report.deleted().get("event_journal"));
        String goneOrderings = gone.stream().map(r -> Long.toString(r.ordering())).collect(Collectors.joining(","));
        assertEquals(0, count(node, "SELECT COUNT(*) FROM \"event_tag\" WHERE \"event_id\" IN (" + goneOrderings + ")"));
        assertTrue(report.deleted().get("event_tag") >= gone.size(), report.toString());

        // Snapshots: A's latest only; B's young ones all.
        Map<String, List<long[]>> snapshotsAfter = snapshots(node);
        assertEquals(List.of(snapshotA), snapshotsAfter.get(pid(a)).stream().map(s -> s[0]).toList());
        assertEquals(
            snapshotsBefore.get(pid(b)).stream().map(s -> s[0]).toList(),
            snapshotsAfter.get(pid(b)).stream().map(s -> s[0]).toList());
        assertEquals(snapshotsBefore.get(pid(a)).size() - 1L, report.deleted().get("snapshot"));

        // The read side: A's actions and requests went, B's stayed; counters of minutes over before the cutoff went.
        assertEquals(0, count(node, "SELECT COUNT(*) FROM journal_item WHERE destination_id = ?", a));
        assertEquals(8, count(node, "SELECT COUNT(*) FROM journal_item WHERE destination_id = ?", b));
        assertEquals(0, count(node, "SELECT COUNT(*) FROM journal_item_state WHERE destination_id = ?", a));
        assertEquals(8, count(node, "SELECT COUNT(*) FROM journal_item_state WHERE destination_id = ?", b));
        assertEquals(8L, report.deleted().get("journal_item"));
        assertEquals(0, count(node, "SELECT COUNT(*) FROM journal_attempt WHERE destination_id = ?", a));
        assertTrue(count(node, "SELECT COUNT(*) FROM journal_attempt WHERE destination_id = ?", b) >= 8);
        assertEquals(
            0, count(node, "SELECT COUNT(*) FROM journal_attempt_item WHERE item_id NOT IN (SELECT item_id FROM journal_item)"));
        long lastMinute = cutoff.toEpochMilli() - 60_000;
        for (String table : List.of("journal_minute", "journal_latency")) {
          assertEquals(0, count(node, "SELECT COUNT(*) FROM " + table + " WHERE minute_start <= ?", lastMinute), table);
          assertTrue(count(node, "SELECT COUNT(*) FROM " + table + " WHERE destination_id = ?", b) > 0, table);
          assertTrue(report.deleted().get(table) >= 1, table + " " + report);
        }
        assertEquals(1, count(node, "SELECT COUNT(*) FROM journal_minute WHERE destination_id = ? AND minute_start = ?", a, minute(cutoff)));

        // A second sweep finds nothing more.
        Retention.Report again =
            new Retention(node.node().database().dataSource(), node.node().settings().retention(), new SimpleMeterRegistry())
                .sweep(cutoff.plus(PERIOD));
        assertTrue(again.deleted().values().stream().allMatch(n -> n == 0), again.toString());
      }

      // A restart: A recovers (from its snapshot and the events after it) with its configuration, is
      // listed, and its source still sends to it; a rebuild of the read side brings back no old action.
      try (TestNode node = TestNode.start(storage, config())) {
        await(WAIT, "the node is ready", () -> node.management("/ready") == 200);
        TestNode.Answer recovered = node.admin("GET", "/api/destinations/" + a);
        assertEquals(200, recovered.status(), recovered.body());
        assertEquals(standIn.url("/a2"), recovered.json().path("settings").path("url").asText());
        assertEquals(Set.of(a, b), listed(node));

        track(node, writeKey, "after-restart");
        await(WAIT, "A delivers after the restart", () -> standIn.received().stream().anyMatch(r -> r.body().contains("after-restart")));

        // The rebuild shows what the journal still holds: of A, the new action and those queued after its snapshot.
        assertEquals(202, node.admin("POST", "/api/read-side/rebuild").status());
        awaitItems(node, b, 8, "delivered");
        awaitItems(node, a, 1 + (int) queuedOfAKept, null);
        assertEquals(Set.of(a, b), listed(node));
        assertEquals(standIn.url("/a2"), configInReadSide(node, a).path("settings").path("url").asText());
      }
    }
  }

  @Test
  void theEventOfAPendingActionIsKeptHoweverOld() throws Exception {
    try (Backend.Storage storage = backend().open(dataDir);
        StandInDestination standIn = StandInDestination.start();
        TestNode node = TestNode.start(storage, config())) {
      await(WAIT, "the node is ready", () -> node.management("/ready") == 200);
      standIn.alwaysAnswer(StandInDestination.Answer.status(503));
      String c = webhook(node, standIn.url("/c"));
      accept(node, c, 3, "held"); // events 3 to 5: a snapshot at 5
      await(WAIT, "three pending, attempted", () -> count(node,
          "SELECT COUNT(*) FROM \"relay_pending\" WHERE \"destination_id\" = ? AND \"attempts\" > 0", c) == 3);
      assertEquals(200, node.admin("POST", "/api/destinations/" + c + "/disable").status()); // kept for when enabled
      Instant cutoff = afterTheClockMoved();
      new Retention(node.node().database().dataSource(), node.node().settings().retention(), new SimpleMeterRegistry())
          .sweep(cutoff.plus(PERIOD));
      assertEquals(3, count(node, "SELECT COUNT(*) FROM \"relay_pending\" WHERE \"destination_id\" = ?", c));
      assertEquals(0, count(node,
          "SELECT COUNT(*) FROM \"relay_pending\" p WHERE NOT EXISTS (SELECT 1 FROM \"event_journal\" j"
              + " WHERE j.\"persistence_id\" = ? AND j.\"sequence_number\" = p.\"sequence_number\")",
          pid(c)), "every pending action's event is still in the journal");
    }
  }

  // --- helpers -----------------------------------------------------------------------------

  private static String scrape(TestNode node) {
    try {
      return java.net.http.HttpClient.newHttpClient()
          .send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.node().managementUri() + "/metrics")).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (java.io.IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String pid(String destinationId) {
    return "Destination|" + destinationId;
  }

  private static String webhook(TestNode node, String url) {
    TestNode.Answer created =
        node.admin("POST", "/api/destinations", Map.of("name", "hook", "type", "webhook", "settings", Map.of("url", url)));
    assertEquals(201, created.status(), created.body());
    return created.json().path("id").asText();
  }

  private static void track(TestNode node, String writeKey, String messageId) {
    String basic = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    ObjectNode event = TestNode.json().createObjectNode().put("userId", "u-1").put("event", "Order Completed").put("messageId", messageId);
    TestNode.Answer answer = node.send("POST", "/v1/track", event, Map.of("Authorization", basic));
    assertEquals(200, answer.status(), answer.body());
  }

  private static void accept(TestNode node, String destinationId, int count, String prefix) throws Exception {
    List<DestinationCommand.Incoming> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ObjectNode event =
          TestNode.json().createObjectNode().put("type", "track").put("event", "Signed Up").put("userId", "u-" + i)
              .put("messageId", prefix + "-" + i);
      events.add(new DestinationCommand.Incoming("src_it", event));
    }
    ClusterSharding.get(node.node().system())
        .entityRefFor(DestinationEntity.TYPE_KEY, destinationId)
        .<DestinationReply.Accepted>askWithStatus(replyTo -> new DestinationCommand.Accept(events, replyTo), Duration.ofSeconds(10))
        .toCompletableFuture()
        .get(15, TimeUnit.SECONDS);
  }

  private static void awaitItems(TestNode node, String destinationId, int count, String status) {
    await(WAIT, count + " " + status + " actions of " + destinationId + " in the action journal", () -> {
      TestNode.Answer page =
          node.admin("GET", "/api/destinations/" + destinationId + "/journal?limit=50" + (status == null ? "" : "&status=" + status));
      return page.status() == 200 && page.json().path("items").size() == count;
    });
  }

  /** An instant after everything so far was written, in a millisecond of its own. */
  private static Instant afterTheClockMoved() {
    Instant start = Instant.now();
    await(WAIT, "the clock moved", () -> Instant.now().toEpochMilli() > start.toEpochMilli() + 1);
    Instant cutoff = Instant.now();
    await(WAIT, "the clock moved", () -> Instant.now().toEpochMilli() > cutoff.toEpochMilli() + 1);
    return cutoff;
  }

  private static long minute(Instant at) {
    return Math.floorDiv(at.toEpochMilli(), 60_000L) * 60_000L;
  }

  /** Counters of a minute well before the cutoff, and of the minute the cutoff falls in. */
  private static void insertOldCounters(TestNode node, String destinationId, Instant cutoff) throws SQLException {
    try (Connection connection = node.node().database().dataSource().getConnection()) {
      for (long start : List.of(minute(cutoff) - 5 * 60_000L, minute(cutoff))) {
        try (PreparedStatement minute =
                connection.prepareStatement(
                    "DELETE FROM journal_minute WHERE destination_id = ? AND minute_start = ?");
            PreparedStatement insert =
                connection.prepareStatement(
                    "INSERT INTO journal_minute (destination_id, minute_start, queued, delivered, failed, retried, discarded)"
                        + " VALUES (?, ?, 1, 1, 0, 0, 0)");
            PreparedStatement latency =
                connection.prepareStatement(
                    "INSERT INTO journal_latency (destination_id, minute_start, bucket, requests) VALUES (?, ?, 99, 1)")) {
          minute.setString(1, destinationId);
          minute.setLong(2, start);
          minute.executeUpdate();
          insert.setString(1, destinationId);
          insert.setLong(2, start);
          insert.executeUpdate();
          latency.setString(1, destinationId);
          latency.setLong(2, start);
          latency.executeUpdate();
        }
      }
      connection.commit();
    }
  }

  /** The configuration the read side keeps of a destination (the list of destinations is served from it). */
  private static JsonNode configInReadSide(TestNode node, String destinationId) throws Exception {
    try (Connection connection = node.node().database().dataSource().getConnection();
        PreparedStatement select = connection.prepareStatement("SELECT config_json FROM journal_destination WHERE destination_id = ?")) {
      select.setString(1, destinationId);
      try (ResultSet rows = select.executeQuery()) {
        assertTrue(rows.next(), "a read-side row of " + destinationId);
        String json = rows.getString(1);
        connection.rollback();
        return TestNode.json().readTree(json);
      }
    }
  }

  private static Set<String> listed(TestNode node) {
    TestNode.Answer list = node.admin("GET", "/api/destinations");
    assertEquals(200, list.status(), list.body());
    Set<String> ids = new java.util.HashSet<>();
    list.json().forEach(d -> ids.add(d.path("id").asText()));
    return ids;
  }

  private static List<Row> rowsOf(List<Row> rows, String destinationId) {
    return rows.stream().filter(r -> r.persistenceId().equals(pid(destinationId))).toList();
  }

  private static List<Row> journal(TestNode node) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (Connection connection = node.node().database().dataSource().getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT \"ordering\", \"persistence_id\", \"sequence_number\", \"write_timestamp\", \"event_ser_manifest\""
                    + " FROM \"event_journal\" WHERE \"persistence_id\" NOT LIKE '/%' ORDER BY \"ordering\"");
        ResultSet result = select.executeQuery()) {
      while (result.next()) {
        rows.add(new Row(result.getLong(1), result.getString(2), result.getLong(3), result.getLong(4), result.getString(5)));
      }
      connection.rollback();
    }
    return rows;
  }

  /** Per persistence id, its snapshots as (sequence number, created), in sequence order. */
  private static Map<String, List<long[]>> snapshots(TestNode node) throws SQLException {
    Map<String, List<long[]>> snapshots = new java.util.HashMap<>();
    try (Connection connection = node.node().database().dataSource().getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT \"persistence_id\", \"sequence_number\", \"created\" FROM \"snapshot\" ORDER BY \"sequence_number\"");
        ResultSet result = select.executeQuery()) {
      while (result.next()) {
        snapshots.computeIfAbsent(result.getString(1), k -> new ArrayList<>()).add(new long[] {result.getLong(2), result.getLong(3)});
      }
      connection.rollback();
    }
    return snapshots;
  }

  private static long latest(List<long[]> snapshots) {
    assertTrue(snapshots != null && !snapshots.isEmpty(), "setup: a snapshot");
    return snapshots.get(snapshots.size() - 1)[0];
  }

  private static long count(TestNode node, String sql, Object... params) {
    return node.count(sql, params);
  }
}
