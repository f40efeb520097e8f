package dev.relay.ingest;

import dev.relay.testing.Backend;

class SourceLibrariesOnH2Test extends SourceLibrariesTest {
  @Override
  protected Backend backend() {
    return Backend.H2;
  }
}
