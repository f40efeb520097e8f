package dev.relay.destination;

import dev.relay.testing.Backend;

class BacklogOnH2Test extends BacklogIntegrationTest {
  @Override
  protected Backend backend() {
    return Backend.H2;
  }
}
