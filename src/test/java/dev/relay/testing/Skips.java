package dev.relay.testing;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Skipping a part of the suite because something it needs is missing: loud on a developer's
 * console, a failure under CI. Any non-empty {@code CI} counts as CI (CI systems set it to
 * {@code true}, {@code 1} or their own name).
 */
public final class Skips {

  private Skips() {}

  public static boolean underCi() {
    String ci = System.getenv("CI");
    return ci != null && !ci.isBlank();
  }

  /** Fails under CI; otherwise prints a banner on the console and aborts the test as skipped. */
  public static void skipUnlessCi(String what, String reason) {
    if (underCi()) {
      Assertions.fail(reason + "; under CI (CI=" + System.getenv("CI") + ") the " + what + " must run");
    }
    String bar = "!".repeat(80);
    String banner = "\n" + bar + "\n!!! SKIPPING " + what + ": " + reason + "\n" + bar + "\n";
    System.err.println(banner);
    // Surefire sends System.err to the report files (redirectTestOutputToFile); the process's own
    // standard error still reaches the console, where a developer running mvn verify sees it.
    @SuppressWarnings("resource")
    PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    console.println(banner);
    console.flush();
    Assumptions.abort(reason);
  }
}
