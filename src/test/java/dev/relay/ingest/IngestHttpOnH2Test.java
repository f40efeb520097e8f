package dev.relay.ingest;

import dev.relay.testing.Backend;

class IngestHttpOnH2Test extends IngestHttpTest {
  @Override
  protected Backend backend() {
    return Backend.H2;
  }
}
