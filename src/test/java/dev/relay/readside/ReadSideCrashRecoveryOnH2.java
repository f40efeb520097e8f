package dev.relay.readside;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReadSideCrashRecoveryIT} on the embedded H2. Not in the suite (its name matches no test
 * pattern): on H2 it failed about one run in five while the read-side pool's idle connections held
 * transactions (see {@code Database.open}), and still failed once in 24 runs after that fix (a tag
 * silently stalled; see the README's "After a SIGKILL on the embedded H2"). Run it on demand:
 *
 * <pre>mvn -B verify -Dit.test=ReadSideCrashRecoveryOnH2 -Dsurefire.failIfNoSpecifiedTests=false -Dtest=none</pre>
 */
class ReadSideCrashRecoveryOnH2 {

  @TempDir Path work;

  @Test
  void theReadSideCatchesUpAfterAKillDuringLoadOnH2() throws Exception {
    ReadSideCrashRecoveryIT.killDuringLoadThenCatchUp(work, Map.of());
  }
}
