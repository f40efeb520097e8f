package dev.relay.destination;

import dev.relay.testing.Backend;

class DeliveryOnPostgresTest extends DeliveryIntegrationTest {
  @Override
  protected Backend backend() {
    return Backend.POSTGRES;
  }
}
