package dev.relay.destination;

import dev.relay.testing.Backend;

class DeliveryOnH2Test extends DeliveryIntegrationTest {
  @Override
  Backend backend() {
    return Backend.H2;
  }
}
