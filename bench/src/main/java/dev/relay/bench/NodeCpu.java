package dev.relay.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The CPU time a node's process has used, in seconds, and how much of it was not its JIT compiler's
 * threads': in a node a few minutes old the compiler still takes a fifth of the CPU or more, and
 * varies from run to run. Read from Linux's {@code /proc}, in clock ticks: the process's total (which
 * keeps the time of threads that ended) and its live compiler threads' (a compiler thread the JVM
 * ends meanwhile takes its time with it, so the part without the compiler errs high, never low).
 */
record NodeCpu(double seconds, double compilerSeconds) {

  /** Linux's USER_HZ, the unit of {@code /proc}'s times, on every architecture the bench runs on. */
  private static final double TICKS_PER_SECOND = 100;

  static NodeCpu of(Process node) {
    Path process = Path.of("/proc", Long.toString(node.pid()));
    long compiler = 0;
    try (Stream<Path> tasks = Files.list(process.resolve("task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
            compiler += ticks(stat);
          }
        } catch (IOException ended) {
          // the thread ended meanwhile
        }
      }
      return new NodeCpu(ticks(Files.readString(process.resolve("stat"))) / TICKS_PER_SECOND, compiler / TICKS_PER_SECOND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the node's CPU times (Linux only)", e);
    }
  }

  /** utime + stime of a {@code stat} line: "pid (comm) state ...", comm perhaps with spaces. */
  private static long ticks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  NodeCpu minus(NodeCpu earlier) {
    return new NodeCpu(seconds - earlier.seconds, compilerSeconds - earlier.compilerSeconds);
  }

  double withoutCompiler() {
    return seconds - compilerSeconds;
  }
}
