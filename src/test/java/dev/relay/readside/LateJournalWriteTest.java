package dev.relay.readside;

import static dev.relay.readside.Traffic.await;
import static dev.relay.readside.Traffic.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.relay.destination.DestinationReply;
import dev.relay.destination.DestinationTags;
import dev.relay.destination.Destinations;
import dev.relay.testing.Backend;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal write that commits late — a slow transaction, a paused node — after later events have
 * committed and been projected: its action still reaches the action log. The read journal waits for
 * a gap in the ordering only so long (jdbc-read-journal.journal-sequence-retrieval, 3 s); this
 * holds one destination's write open on PostgreSQL well past that while other destinations on the
 * same read-side tag write events, then lets it commit: every action ends up in the action log.
 */
class LateJournalWriteTest {

  /** The advisory lock the held write waits for; the test holds it. */
  private static final long HOLD = 4_242_001L;
  /**
   * Longer than max-tries x query-delay (60 x 50 ms), shorter than the journal's circuit breaker
   * (call-timeout 10 s), which would fail the write's persist instead.
   */
  private static final Duration HELD_FOR = Duration.ofSeconds(6);

  @TempDir Path dataDir;

  @Test
  void anActionWhoseJournalWriteCommitsAfterTheGapWindowIsStillInTheActionLog() throws Exception {
    try (Backend.Storage storage = Backend.POSTGRES.open(dataDir);
        TestNode node = TestNode.start(storage, ConfigFactory.parseMap(Map.of("relay.delivery.allowed-networks", "127.0.0.0/8")));
        StandInDestination standIn = StandInDestination.start();
        Connection holder = storage.postgres().connect()) {
      int tags = node.node().system().settings().config().getInt("relay.read-side.tags");
      String late = Traffic.webhook(node, standIn);
      String tag = new DestinationTags(tags).of(late);
      // Destinations on the same read-side tag, one write each: an entity waits for its previous
      // write, and a journal confirms writes in the order they were made, so none of these writes
      // is confirmed before the held one; each still commits at once.
      List<String> sameTag = new ArrayList<>();
      while (sameTag.size() < 3) {
        String other = Traffic.webhook(node, standIn);
        if (new DestinationTags(tags).of(other).equals(tag)) {
          sameTag.add(other);
        }
      }

      // Every journal row of `late` waits, inside its insert's transaction (its ordering taken), for
      // the lock the test holds.
      holder.setAutoCommit(true);
      try (Statement sql = holder.createStatement()) {
        sql.execute("SELECT pg_advisory_lock(" + HOLD + ")");
        sql.execute(
            "CREATE FUNCTION hold_journal_write() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " BEGIN PERFORM pg_advisory_xact_lock_shared(" + HOLD + "); RETURN NULL; END $$");
        sql.execute(
            "CREATE TRIGGER hold_journal_write AFTER INSERT ON event_journal FOR EACH ROW"
                + " WHEN (NEW.persistence_id = 'Destination|" + late + "') EXECUTE FUNCTION hold_journal_write()");
      }

      ObjectNode held = Traffic.track("Held Back", "user-late");
      long heldSince = System.nanoTime();
      CompletableFuture<DestinationReply.Accepted> lateAccept =
          CompletableFuture.supplyAsync(() -> Traffic.accept(node, late, List.of(held)));
      await("the write of " + late + " waiting with its ordering taken", Duration.ofSeconds(10), () -> waiting(holder));

      // Later writes, one per destination: without an order on commits they commit around the
      // open write and are projected while it is held, and the read journal gives up on its gap.
      List<ObjectNode> later = new ArrayList<>();
      List<CompletableFuture<DestinationReply.Accepted>> laterAccepts = new ArrayList<>();
      for (String other : sameTag) {
        ObjectNode event = Traffic.track("Committed Later", "user-" + later.size());
        later.add(event);
        laterAccepts.add(CompletableFuture.supplyAsync(() -> Traffic.accept(node, other, List.of(event))));
        Thread.sleep(500);
      }
      long heldFor = System.nanoTime() - heldSince;
      Thread.sleep(Math.max(0, (HELD_FOR.toNanos() - heldFor) / 1_000_000));
      assertFalse(lateAccept.isDone(), "the write of " + late + " is still open");
      assertEquals(0, items(node, late));
      System.out.println("[late write] later writes projected while the late one was held open: "
          + sameTag.stream().filter(other -> items(node, other) == 1).count() + " of " + sameTag.size());

      try (Statement sql = holder.createStatement()) {
        sql.execute("SELECT pg_advisory_unlock(" + HOLD + ")");
      }
      lateAccept.get(30, TimeUnit.SECONDS);
      for (CompletableFuture<DestinationReply.Accepted> accepted : laterAccepts) {
        accepted.get(30, TimeUnit.SECONDS);
      }

      await("the later actions in the action log", Duration.ofSeconds(30),
          () -> sameTag.stream().allMatch(other -> items(node, other) == 1));
      await("the late action in the action log", Duration.ofSeconds(30), () -> items(node, late) == 1);
      JsonNode item = get(node, "/api/destinations/" + late + "/journal").path("items").get(0);
      assertEquals(held.path("messageId").asText(), item.path("messageId").asText());
      assertEquals("Held Back", item.path("event").asText());
      await("the late action delivered in the action log", Duration.ofSeconds(30),
          () -> "delivered".equals(get(node, "/api/destinations/" + late + "/journal").path("items").get(0).path("status").asText()));
      assertTrue(standIn.received().stream().anyMatch(r -> r.body().contains(held.path("messageId").asText())));
    }
  }

  /** Whether a session waits for the test's advisory lock: the held write. */
  private static boolean waiting(Connection holder) {
    try (Statement sql = holder.createStatement();
        var rows = sql.executeQuery(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = " + HOLD)) {
      rows.next();
      return rows.getLong(1) > 0;
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  private static long items(TestNode node, String destinationId) {
    return ReadSideTables.count(node, "SELECT COUNT(*) FROM journal_item WHERE destination_id = ?", destinationId);
  }
}
