package dev.relay.retention;

import dev.relay.testing.Backend;

class RetentionOnH2Test extends RetentionTest {
  @Override
  Backend backend() {
    return Backend.H2;
  }
}
