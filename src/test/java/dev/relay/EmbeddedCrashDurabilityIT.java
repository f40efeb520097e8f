package dev.relay;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.testing.ProcessClient;
import dev.relay.testing.RelayProcess;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.StandInDestination.Answer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the embedded default, {@code 200} means on disk: events acknowledged before a SIGKILL are all
 * delivered after a restart on the same data dir. The node is killed twice, each time while clients
 * are still posting, so the kill lands among commits in flight, and the second on a file recovered
 * from the first. H2 batches commits to its file by default (up to 500 ms), which lost the last
 * acknowledged events to a kill; with H2 writing chunks into the space of dead ones it still lost
 * the last commits of some kills, until the node kept its store header naming the newest chunk
 * (see {@code H2StoreHeader}).
 */
class EmbeddedCrashDurabilityIT {

  private static final String TOKEN = "crash-test-admin-token-0123456789abcdef";
  private static final int CLIENTS = 4;
  private static final int EVENTS_PER_REQUEST = 5;
  /** Acknowledged events per round before the kill; the clients go on posting until it. */
  private static final int BEFORE_KILL = Integer.getInteger("crash.before-kill", 400);

  @TempDir Path work;

  @Test
  void everyAcknowledgedEventIsDeliveredAfterKillsDuringLoad() throws Exception {
    Map<String, String> env =
        Map.of(
            "RELAY_DATA_DIR", work.resolve("data").toString(),
            "RELAY_ADMIN_TOKEN", TOKEN,
            "RELAY_ALLOWED_NETWORKS", "127.0.0.0/8");
    int[] ports = RelayProcess.freePorts(3);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    try (StandInDestination standIn = StandInDestination.start()) {
      // Down while the events come in, so none is delivered (and so none could hide) before the kills,
      // and the node records failed attempts meanwhile, as it would in an outage.
      standIn.alwaysAnswer(Answer.status(503));
      String writeKey;
      try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, ports, work.resolve("node1.log"))) {
        node.awaitReady(Duration.ofSeconds(30));
        ProcessClient client = new ProcessClient(node, TOKEN);
        writeKey = client.wireWebhook(standIn.url("/hook"), "").writeKey();
        killDuringLoad(node, client, writeKey, "first", acknowledged);
      }
      try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, ports, work.resolve("node2.log"))) {
        node.awaitReady(Duration.ofSeconds(30));
        killDuringLoad(node, new ProcessClient(node, TOKEN), writeKey, "second", acknowledged);
      }

      standIn.alwaysAnswer(Answer.status(200));
      try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, ports, work.resolve("node3.log"))) {
        node.awaitReady(Duration.ofSeconds(30));
        await(Duration.ofSeconds(120), "all " + acknowledged.size() + " acknowledged events delivered after two kills",
            () -> standIn.acceptedMessageIds().containsAll(acknowledged));
        Set<String> missing = new TreeSet<>(acknowledged);
        missing.removeAll(standIn.acceptedMessageIds());
        assertEquals(Set.of(), missing);
      }
    }
  }

  /**
   * Clients post batches of unique tracks until the node is killed, which happens once {@link
   * #BEFORE_KILL} events of this round are acknowledged; what was answered 200 is added to {@code
   * acknowledged}, what got no answer or another status is not.
   */
  private static void killDuringLoad(
      RelayProcess node, ProcessClient client, String writeKey, String round, Set<String> acknowledged) throws Exception {
    AtomicInteger acknowledgedThisRound = new AtomicInteger();
    CountDownLatch enough = new CountDownLatch(1);
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      String prefix = round + "-" + c + "-";
      Thread thread = new Thread(() -> post(client, writeKey, prefix, acknowledged, acknowledgedThisRound, enough), "client-" + prefix);
      thread.start();
      clients.add(thread);
    }
    assertTrue(enough.await(60, TimeUnit.SECONDS), "the " + round + " round had " + BEFORE_KILL + " events acknowledged");
    node.kill();
    for (Thread thread : clients) {
      thread.join(Duration.ofSeconds(30).toMillis());
    }
  }

  private static void post(
      ProcessClient client, String writeKey, String prefix, Set<String> acknowledged, AtomicInteger count, CountDownLatch enough) {
    for (int request = 0; ; request++) {
      List<String> ids = new ArrayList<>();
      StringBuilder batch = new StringBuilder("{\"batch\":[");
      for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
        String id = prefix + request + "-" + i;
        ids.add(id);
        batch.append(i == 0 ? "" : ",")
            .append("{\"type\":\"track\",\"userId\":\"u-").append(id).append("\",\"event\":\"Crash Test\",\"messageId\":\"").append(id).append("\"}");
      }
      HttpResponse<String> answer;
      try {
        answer = client.ingest("batch", writeKey, batch.append("]}").toString());
      } catch (IOException | InterruptedException e) {
        return; // the node is gone: this request was not acknowledged
      }
      if (answer.statusCode() != 200) {
        continue; // a 503 asks the client to retry: not acknowledged
      }
      acknowledged.addAll(ids);
      if (count.addAndGet(ids.size()) >= BEFORE_KILL) {
        enough.countDown();
      }
    }
  }
}
