package dev.relay.readside;

import dev.relay.testing.Backend;
import org.junit.jupiter.api.BeforeAll;

class ActionLogIndexOnH2Test extends ActionLogIndexTest {
  @BeforeAll
  static void openDatabase() throws Exception {
    open(Backend.H2);
  }
}
