package dev.relay.destination;

import dev.relay.testing.Backend;

class BacklogOnPostgresTest extends BacklogIntegrationTest {
  @Override
  protected Backend backend() {
    return Backend.POSTGRES;
  }
}
