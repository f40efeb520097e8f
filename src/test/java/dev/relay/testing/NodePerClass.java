package dev.relay.testing;

import static dev.relay.testing.StandInDestination.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.catalog.Settings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-node tests that share one ready node per test class (on the subclass's {@link Backend}) and
 * get a fresh stand-in destination per test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class NodePerClass {

  protected Backend.Storage storage;
  protected TestNode node;
  protected StandInDestination standIn;

  protected abstract Backend backend();

  /** Settings of this class's node on top of the test defaults. */
  protected Config nodeConfig() {
    return ConfigFactory.empty();
  }

  @BeforeAll
  void startNode(@TempDir Path dataDir) {
    storage = backend().open(dataDir);
    node = TestNode.start(storage, nodeConfig());
    await(Duration.ofSeconds(30), "the node is ready", () -> node.management("/ready") == 200);
  }

  @AfterAll
  void stopNode() {
    if (node != null) {
      node.close();
    }
    if (storage != null) {
      storage.close();
    }
  }

  @BeforeEach
  void startStandIn() {
    standIn = StandInDestination.start();
  }

  @AfterEach
  void stopStandIn() {
    standIn.close();
  }
}
