package dev.relay.readside;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReadSideCrashRecoveryIT} on the embedded H2. Not in the suite (its name matches no test
 * pattern; a run takes minutes). It failed about one run in five, then one in 24 once the read-side
 * pool's idle connections held no transaction, on what H2 leaves in its file after a kill, which
 * {@code H2CrashRecovery} now clears at start; the README's "After a SIGKILL on the embedded H2" says
 * how it has fared since, and what still fails. Run it on demand:
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
