package dev.relay;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.relay.testing.ProcessClient;
import dev.relay.testing.RelayProcess;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.StandInDestination.Answer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the embedded default, {@code 200} means on disk: events acknowledged just before a SIGKILL
 * are all delivered after a restart on the same data dir. H2 batches commits to its file by default
 * (up to 500 ms), which lost the last acknowledged events to a kill.
 */
class EmbeddedCrashDurabilityIT {

  private static final String TOKEN = "crash-test-admin-token-0123456789abcdef";
  private static final int EVENTS = 300;

  @TempDir Path work;

  @Test
  void everyAcknowledgedEventIsDeliveredAfterAKillAndRestart() throws Exception {
    Map<String, String> env =
        Map.of(
            "RELAY_DATA_DIR", work.resolve("data").toString(),
            "RELAY_ADMIN_TOKEN", TOKEN,
            "RELAY_ALLOWED_NETWORKS", "127.0.0.0/8");
    int[] ports = RelayProcess.freePorts(3);
    try (StandInDestination standIn = StandInDestination.start()) {
      // Down while the events come in, so none is delivered (and so none could hide) before the kill.
      standIn.alwaysAnswer(Answer.status(503));
      try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, ports, work.resolve("node.log"))) {
        node.awaitReady(Duration.ofSeconds(30));
        ProcessClient client = new ProcessClient(node, TOKEN);
        String writeKey = client.wireWebhook(standIn.url("/hook"), "").writeKey();
        for (int i = 0; i < EVENTS; i++) {
          HttpResponse<String> tracked =
              client.ingest("track", writeKey, "{\"userId\":\"u-" + i + "\",\"event\":\"Crash Test\",\"messageId\":\"crash-" + i + "\"}");
          assertEquals(200, tracked.statusCode(), tracked.body());
        }
        node.kill();
      }

      standIn.alwaysAnswer(Answer.status(200));
      try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env, ports, work.resolve("node2.log"))) {
        node.awaitReady(Duration.ofSeconds(30));
        await(Duration.ofSeconds(90), "all " + EVENTS + " acknowledged events delivered after the restart",
            () -> standIn.acceptedMessageIds().size() >= EVENTS);
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < EVENTS; i++) {
          expected.add("crash-" + i);
        }
        assertEquals(expected, new TreeSet<>(standIn.acceptedMessageIds()));
      }
    }
  }
}
