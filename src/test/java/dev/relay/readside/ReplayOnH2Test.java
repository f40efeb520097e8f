package dev.relay.readside;

import dev.relay.testing.Backend;
import org.junit.jupiter.api.BeforeAll;

class ReplayOnH2Test extends ReplayTest {
  @BeforeAll
  static void startNode() {
    start(Backend.H2);
  }
}
