package dev.relay.destination;

import dev.relay.testing.Backend;

class DeliveryOnH2Test extends DeliveryIntegrationTest {
  @Override
  protected Backend backend() {
    return Backend.H2;
  }
}
