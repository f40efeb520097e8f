package dev.relay.journal;

import dev.relay.testing.Backend;
import org.junit.jupiter.api.BeforeAll;

class JournalProjectionOnH2Test extends JournalProjectionTest {
  @BeforeAll
  static void start() {
    startNode(Backend.H2);
  }
}
