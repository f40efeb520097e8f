package dev.relay.journal;

import dev.relay.testing.Backend;
import org.junit.jupiter.api.BeforeAll;

class JournalProjectionOnPostgresTest extends JournalProjectionTest {
  @BeforeAll
  static void start() {
    startNode(Backend.POSTGRES);
  }
}
