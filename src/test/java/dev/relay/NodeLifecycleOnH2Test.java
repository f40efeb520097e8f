package dev.relay;

import dev.relay.testing.Backend;

class NodeLifecycleOnH2Test extends NodeLifecycleTest {
  @Override
  Backend backend() {
    return Backend.H2;
  }
}
