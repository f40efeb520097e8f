package dev.relay.readside;

import dev.relay.testing.Backend;
import org.junit.jupiter.api.BeforeAll;

class ActionLogProjectionOnPostgresTest extends ActionLogProjectionTest {
  @BeforeAll
  static void start() {
    startNode(Backend.POSTGRES);
  }
}
