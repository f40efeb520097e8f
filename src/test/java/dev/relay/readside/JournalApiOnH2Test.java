package dev.relay.readside;

import dev.relay.testing.Backend;
import org.junit.jupiter.api.BeforeAll;

class JournalApiOnH2Test extends JournalApiTest {
  @BeforeAll
  static void startNode() {
    start(Backend.H2);
  }
}
