package dev.relay.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.relay.destination.DestinationCommand.Incoming;
import dev.relay.testing.Backend;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A destination's batching stream lives while requests use it, and is stopped and forgotten after. */
class DestinationBatcherTest {

  @TempDir static Path dataDir;
  private static Backend.Storage storage;
  private static TestNode node;
  private static DestinationBatcher batcher;

  @BeforeAll
  static void start() {
    storage = Backend.H2.open(dataDir);
    node = TestNode.start(storage);
    IngestSettings settings =
        IngestSettings.from(
            ConfigFactory.parseMap(Map.of("relay.ingest.batch.idle-timeout", "300ms"))
                .withFallback(node.node().system().settings().config()));
    batcher = new DestinationBatcher(node.node().system(), settings);
  }

  @AfterAll
  static void stop() {
    node.close();
    storage.close();
  }

  private static List<Incoming> event(String messageId) {
    return List.of(new Incoming("src_1", new ObjectMapper().createObjectNode().put("type", "track").put("messageId", messageId)));
  }

  private static void submit(String destinationId, String messageId) throws Exception {
    // Unknown destinations answer at once with nothing queued: a real round trip through sharding.
    batcher.submit(destinationId, event(messageId)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void idleLanesAreStoppedAndForgottenAndANewRequestStartsOneAgain() throws Exception {
    List<CompletableFuture<Done>> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(batcher.submit("dst_batcher_" + i, event("m-" + i)).toCompletableFuture());
    }
    assertEquals(50, batcher.lanes()); // a lane starts with its first request
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

    StandInDestination.await(Duration.ofSeconds(10), "every idle lane to be removed", () -> batcher.lanes() == 0);

    submit("dst_batcher_0", "m-again");
    assertEquals(1, batcher.lanes());
  }
}
