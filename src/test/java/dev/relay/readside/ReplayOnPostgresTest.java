package dev.relay.readside;

import dev.relay.testing.Backend;
import org.junit.jupiter.api.BeforeAll;

class ReplayOnPostgresTest extends ReplayTest {
  @BeforeAll
  static void startNode() {
    start(Backend.POSTGRES);
  }
}
