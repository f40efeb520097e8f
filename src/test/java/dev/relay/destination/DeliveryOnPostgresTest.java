package dev.relay.destination;

import dev.relay.testing.Backend;

class DeliveryOnPostgresTest extends DeliveryIntegrationTest {
  @Override
  Backend backend() {
    return Backend.POSTGRES;
  }
}
