package dev.relay.ingest;

import dev.relay.testing.Backend;

class SourceLibrariesOnPostgresTest extends SourceLibrariesTest {
  @Override
  Backend backend() {
    return Backend.POSTGRES;
  }
}
