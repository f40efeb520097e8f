package dev.relay.journal;

import dev.relay.testing.Backend;
import org.junit.jupiter.api.BeforeAll;

class JournalIndexOnPostgresTest extends JournalIndexTest {
  @BeforeAll
  static void openDatabase() throws Exception {
    open(Backend.POSTGRES);
  }
}
