package dev.relay.journal;

import static dev.relay.journal.Traffic.await;
import static dev.relay.journal.Traffic.get;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.relay.testing.Backend;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL database: when a node leaves, the remaining one runs every projection
 * instance and nothing journaled is left unprojected. (The embedded H2 is a cluster of one by design.)
 */
class ReadSideClusterTest {

  @TempDir Path first;
  @TempDir Path second;

  @Test
  void theProjectionCarriesOnOnTheRemainingNodeWhenANodeLeaves() {
    try (Backend.Storage storage = Backend.POSTGRES.open(first);
        StandInDestination standIn = StandInDestination.start()) {
      TestNode a = TestNode.start(storage);
      TestNode b;
      try {
        int port = Cluster.get(a.node().system()).selfMember().address().getPort().get();
        b = TestNode.start(
            storage,
            ConfigFactory.parseMap(
                Map.of("relay.data-dir", second.toString(), "relay.cluster.seed-nodes", "127.0.0.1:" + port)));
      } catch (RuntimeException e) {
        a.close();
        throw e;
      }
      try {
        await("two members up", Duration.ofSeconds(30), () -> upMembers(a) == 2 && upMembers(b) == 2);
        String id = Traffic.webhook(a, standIn);
        Traffic.accept(a, id, List.of(Traffic.track("Before", "u1"), Traffic.track("Before", "u2")));
        await("projected while both run", Duration.ofSeconds(30), () -> delivered(b, id) == 2);

        a.close();
        await("one member left", Duration.ofSeconds(30), () -> upMembers(b) == 1);
        Traffic.accept(b, id, List.of(Traffic.track("After", "u3"), Traffic.identify("u4")));
        await("projected by the remaining node", Duration.ofSeconds(60), () -> delivered(b, id) == 4);
        assertEquals(4, JournalCounts.of(b, id).queued());
        assertEquals(1, get(b, "/api/destinations/" + id + "/journal?event=After").path("items").size());
        assertEquals(4, get(b, "/api/destinations/" + id + "/journal").path("items").size());
      } finally {
        b.close();
      }
    }
  }

  private static long upMembers(TestNode node) {
    return java.util.stream.StreamSupport.stream(
            Cluster.get(node.node().system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }

  private static long delivered(TestNode node, String id) {
    return get(node, "/api/destinations/" + id + "/overview").path("totals").path("delivered").asLong();
  }
}
