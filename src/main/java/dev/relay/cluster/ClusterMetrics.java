package dev.relay.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The cluster as this node sees it: members by status, and how many it cannot reach. Read from the
 * node's own view at each scrape (thread-safe), so nothing is kept between scrapes.
 */
public final class ClusterMetrics {

  /** Every member status Pekko has, as its {@code status} label: a fixed set of series. */
  private static final List<String> STATUSES =
      List.of("joining", "weakly_up", "up", "preparing_for_shutdown", "ready_for_shutdown", "leaving", "exiting", "down", "removed");

  private ClusterMetrics() {}

  public static void bind(ActorSystem<?> system, MeterRegistry registry) {
    Cluster cluster = Cluster.get(system);
    for (String status : STATUSES) {
      Gauge.builder("relay.cluster.members", cluster, c -> count(c.state(), status))
          .description("cluster members by status, as this node sees them")
          .tag("status", status)
          .strongReference(true)
          .register(registry);
    }
    Gauge.builder("relay.cluster.unreachable.members", cluster, c -> c.state().getUnreachable().size())
        .description("members this node's failure detector cannot reach")
        .strongReference(true)
        .register(registry);
  }

  private static long count(CurrentClusterState state, String status) {
    return StreamSupport.stream(state.getMembers().spliterator(), false)
        .filter(member -> label(member).equals(status))
        .count();
  }

  /** {@code WeaklyUp} → {@code weakly_up}. */
  static String label(Member member) {
    return member.status().toString().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }
}
