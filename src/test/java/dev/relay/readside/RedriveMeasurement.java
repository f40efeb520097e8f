package dev.relay.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.relay.destination.DestinationCommand;
import dev.relay.destination.DestinationEntity;
import dev.relay.destination.DestinationReply;
import dev.relay.testing.Backend;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not part of the suite (its name is not a test's): a redrive of many failed
 * actions, how long it takes and the most actions pending in the destination meanwhile, which the
 * pending limit bounds. Run it by name:
 * {@code mvn -B -o -q test -Dtest=RedriveMeasurement -Dredrive.actions=20000 [-Dredrive.backend=postgres]}.
 */
class RedriveMeasurement {

  private static final int ACTIONS = Integer.getInteger("redrive.actions", 20_000);
  private static final int PENDING_LIMIT = 1000;
  private static final int PAGE = 100;

  @TempDir Path dataDir;

  @Test
  void aLargeRedriveKeepsPendingWorkWithinTheLimit() throws Exception {
    Backend backend = "postgres".equals(System.getProperty("redrive.backend")) ? Backend.POSTGRES : Backend.H2;
    try (Backend.Storage storage = backend.open(dataDir);
        TestNode node = TestNode.start(storage, ConfigFactory.parseMap(Map.of(
            "relay.read-side.redrive.page-size", String.valueOf(PAGE),
            "relay.read-side.redrive.pending-limit", String.valueOf(PENDING_LIMIT))));
        StandInDestination standIn = StandInDestination.start()) {
      standIn.alwaysAnswer(Answer.status(400));
      String id = Traffic.webhook(node, standIn);
      for (int sent = 0; sent < ACTIONS; sent += 500) {
        List<ObjectNode> batch = new ArrayList<>();
        for (int i = 0; i < Math.min(500, ACTIONS - sent); i++) {
          batch.add(Traffic.identify("user-" + (sent + i)));
        }
        Traffic.accept(node, id, batch);
      }
      String failed = "SELECT COUNT(*) FROM journal_item_state WHERE destination_id = ? AND status = 'failed'";
      Traffic.await(ACTIONS + " failed", Duration.ofMinutes(5), () -> ReadSideTables.count(node, failed, id) == ACTIONS);
      standIn.alwaysAnswer(Answer.status(200));

      long start = System.nanoTime();
      TestNode.Answer redrive = node.admin("POST", "/api/destinations/" + id + "/redrive", Map.of("status", "failed"));
      assertEquals(202, redrive.status(), redrive.body());
      long answered = System.nanoTime();
      String delivered = "SELECT COUNT(*) FROM journal_item_state WHERE destination_id = ? AND status = 'delivered'";
      int maxPending = 0;
      while (ReadSideTables.count(node, delivered, id) < ACTIONS) {
        assertTrue(System.nanoTime() - start < TimeUnit.MINUTES.toNanos(10), "the redrive ends within 10 minutes");
        maxPending = Math.max(maxPending, pending(node, id));
        Thread.sleep(20); // a sampling interval, not a wait for a condition
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "REDRIVE %s: %d actions, 202 after %d ms, all delivered after %.1f s (%.0f actions/s), most pending seen %d (limit %d + page %d), %d requests%n",
          backend, ACTIONS, TimeUnit.NANOSECONDS.toMillis(answered - start), seconds, ACTIONS / seconds, maxPending,
          PENDING_LIMIT, PAGE, standIn.accepted().size());
      assertEquals(ACTIONS, redrive.json().path("count").asInt());
      assertTrue(maxPending <= PENDING_LIMIT + PAGE, "most pending " + maxPending);
      assertEquals(ACTIONS, standIn.accepted().size(), "each delivered once");
    }
  }

  private static int pending(TestNode node, String id) throws Exception {
    DestinationReply reply = ClusterSharding.get(node.node().system())
        .entityRefFor(DestinationEntity.TYPE_KEY, id)
        .<DestinationReply>ask(replyTo -> new DestinationCommand.Replay(List.of(), replyTo), Duration.ofSeconds(10))
        .toCompletableFuture()
        .get(15, TimeUnit.SECONDS);
    return ((DestinationReply.Replayed) reply).pending();
  }
}
