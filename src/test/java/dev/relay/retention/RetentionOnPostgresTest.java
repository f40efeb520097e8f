package dev.relay.retention;

import dev.relay.testing.Backend;

class RetentionOnPostgresTest extends RetentionTest {
  @Override
  Backend backend() {
    return Backend.POSTGRES;
  }
}
