package dev.relay.readside;

import dev.relay.testing.Backend;
import org.junit.jupiter.api.BeforeAll;

class ActionLogProjectionOnH2Test extends ActionLogProjectionTest {
  @BeforeAll
  static void start() {
    startNode(Backend.H2);
  }
}
