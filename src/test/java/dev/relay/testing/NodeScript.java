package dev.relay.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * A Node.js script under {@code src/test/node}, run as a real process, for tests that drive Relay
 * with JavaScript libraries. Its dependencies are installed with {@code npm ci} from the committed
 * package-lock.json the first time (node_modules is not committed). Without {@code node} and
 * {@code npm} on the PATH such a test is skipped with a loud message, except under CI (any non-empty {@code CI}),
 * where it fails: the same policy as {@link PostgresDatabase}.
 */
public final class NodeScript {

  public static final Path DIRECTORY = Path.of("src", "test", "node").toAbsolutePath();
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(3);

  /** What the process did: its exit code and its output, line by line. */
  public record Result(int exitCode, List<String> stdout, String stderr) {}

  private final Path script;

  private NodeScript(Path script) {
    this.script = script;
  }

  /** The script {@code name} in {@link #DIRECTORY}, with its dependencies installed. */
  public static synchronized NodeScript named(String name) {
    requireOnPath("node");
    requireOnPath("npm");
    Path script = DIRECTORY.resolve(name);
    Assertions.assertTrue(Files.isRegularFile(script), script + " is missing");
    if (!Files.isDirectory(DIRECTORY.resolve("node_modules"))) {
      Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), INSTALL_TIMEOUT);
      Assertions.assertEquals(
          0, install.exitCode(), "npm ci failed in " + DIRECTORY + ":\n" + install.stderr() + String.join("\n", install.stdout()));
    }
    return new NodeScript(script);
  }

  /** Runs the script with {@code args}; fails the test if it does not end within {@code atMost}. */
  public Result run(Duration atMost, String... args) {
    List<String> command = new ArrayList<>(List.of("node", script.toString()));
    command.addAll(List.of(args));
    return run(command, atMost);
  }

  private static Result run(List<String> command, Duration atMost) {
    try {
      Path out = Files.createTempFile("node-out", ".txt");
      Path err = Files.createTempFile("node-err", ".txt");
      try {
        Process process =
            new ProcessBuilder(command)
                .directory(DIRECTORY.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          Assertions.fail(
              String.join(" ", command) + " did not end within " + atMost + "; stderr:\n" + Files.readString(err));
        }
        return new Result(
            process.exitValue(),
            Files.readAllLines(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void requireOnPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return;
      }
    }
    Skips.skipUnlessCi("Node.js library tests", "'" + program + "' is not on the PATH");
  }
}
