package dev.relay.metrics;

import dev.relay.testing.Backend;

class MetricsEndpointOnH2Test extends MetricsEndpointTest {
  @Override
  protected Backend backend() {
    return Backend.H2;
  }
}
