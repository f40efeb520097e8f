package dev.relay;

import dev.relay.testing.Backend;

class NodeLifecycleOnPostgresTest extends NodeLifecycleTest {
  @Override
  Backend backend() {
    return Backend.POSTGRES;
  }
}
