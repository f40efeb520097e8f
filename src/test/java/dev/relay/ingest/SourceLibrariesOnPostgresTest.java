package dev.relay.ingest;

import dev.relay.testing.Backend;

class SourceLibrariesOnPostgresTest extends SourceLibrariesTest {
  @Override
  protected Backend backend() {
    return Backend.POSTGRES;
  }
}
