package dev.relay.readside;

import static dev.relay.readside.Traffic.await;
import static dev.relay.readside.Traffic.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.destination.DestinationTags;
import dev.relay.testing.Backend;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL database: when a node leaves, the remaining one takes over the
 * projection instance that ran on it (checked, not left to chance) and nothing journaled is left
 * unprojected. A node killed outright is ClusterIT's and ReadSideCrashIT's. (The embedded H2 is a cluster of one by design.)
 */
class ReadSideClusterTest {

  @TempDir Path first;
  @TempDir Path second;

  @Test
  void theProjectionCarriesOnOnTheRemainingNodeWhenANodeLeaves() {
    try (Backend.Storage storage = Backend.POSTGRES.open(first);
        StandInDestination standIn = StandInDestination.start()) {
      Config loopback = ConfigFactory.parseMap(Map.of("relay.delivery.allowed-networks", "127.0.0.0/8"));
      TestNode a = TestNode.start(storage, loopback);
      TestNode b;
      try {
        int port = Cluster.get(a.node().system()).selfMember().address().getPort().get();
        b = TestNode.start(
            storage,
            ConfigFactory.parseMap(
                Map.of("relay.data-dir", second.toString(), "relay.cluster.seed-nodes", "127.0.0.1:" + port))
                .withFallback(loopback));
      } catch (RuntimeException e) {
        a.close();
        throw e;
      }
      try {
        await("two members up", Duration.ofSeconds(30), () -> upMembers(a) == 2 && upMembers(b) == 2);
        int tags = a.node().system().settings().config().getInt("relay.read-side.tags");
        await("every projection instance running, some on each node", Duration.ofSeconds(30), () -> {
          Set<String> onA = projectionsOn(a);
          Set<String> onB = projectionsOn(b);
          return onA.size() + onB.size() == tags && !onA.isEmpty() && !onB.isEmpty();
        });
        // A destination whose tag's projection runs on the node that leaves: its handover is tested.
        Set<String> onA = projectionsOn(a);
        String candidate = Traffic.webhook(a, standIn);
        while (!onA.contains(tagIndex(candidate, tags))) {
          candidate = Traffic.webhook(a, standIn);
        }
        String id = candidate;
        String instance = tagIndex(id, tags);
        Traffic.accept(a, id, List.of(Traffic.track("Before", "u1"), Traffic.track("Before", "u2")));
        await("projected while both run", Duration.ofSeconds(30), () -> delivered(b, id) == 2);

        assertFalse(projectionsOn(b).contains(instance), "instance " + instance + " runs on the leaving node only");

        a.close();
        await("one member left", Duration.ofSeconds(30), () -> upMembers(b) == 1);
        Traffic.accept(b, id, List.of(Traffic.track("After", "u3"), Traffic.identify("u4")));
        await("projected by the remaining node", Duration.ofSeconds(60), () -> delivered(b, id) == 4);
        assertTrue(projectionsOn(b).contains(instance), "instance " + instance + " handed over: " + projectionsOn(b));
        assertEquals(4, ActionLogCounts.of(b, id).queued());
        assertEquals(1, get(b, "/api/destinations/" + id + "/journal?event=After").path("items").size());
        assertEquals(4, get(b, "/api/destinations/" + id + "/journal").path("items").size());
      } finally {
        b.close();
      }
    }
  }

  private static String tagIndex(String destinationId, int tags) {
    return new DestinationTags(tags).of(destinationId).substring("dest-".length());
  }

  /** The projection instances (sharded daemon process indexes, one shard each) running on the node. */
  private static Set<String> projectionsOn(TestNode node) {
    ActorRef region =
        org.apache.pekko.cluster.sharding.ClusterSharding.get(node.node().system().classicSystem())
            .shardRegion("sharded-daemon-process-journal-projection");
    try {
      ShardRegion.CurrentShardRegionState state =
          (ShardRegion.CurrentShardRegionState)
              Patterns.ask(region, ShardRegion.getShardRegionStateInstance(), Duration.ofSeconds(5))
                  .toCompletableFuture()
                  .get(10, TimeUnit.SECONDS);
      Set<String> running = new TreeSet<>();
      state.getShards().forEach(shard -> running.addAll(shard.getEntityIds()));
      return running;
    } catch (Exception e) {
      throw new AssertionError("the shard region state of " + node.node().system(), e);
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
