package dev.relay.journal;

import dev.relay.testing.Backend;
import org.junit.jupiter.api.BeforeAll;

class JournalIndexOnH2Test extends JournalIndexTest {
  @BeforeAll
  static void openDatabase() throws Exception {
    open(Backend.H2);
  }
}
