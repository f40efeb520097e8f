package dev.relay.ingest;

import dev.relay.testing.Backend;

class IngestHttpOnPostgresTest extends IngestHttpTest {
  @Override
  protected Backend backend() {
    return Backend.POSTGRES;
  }
}
