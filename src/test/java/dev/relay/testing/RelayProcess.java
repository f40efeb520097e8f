package dev.relay.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Relay node as its own process, started the way the README says ({@code java -jar
 * target/relay.jar}), configured through its environment. For tests of the packaged jar and of
 * clusters made of real processes.
 */
public final class RelayProcess implements AutoCloseable {

  private final Process process;
  public final int httpPort;
  public final int managementPort;
  public final int remotePort;
  public final Path log;
  /** The address its management port answers on. */
  public final String host;

  private RelayProcess(Process process, int httpPort, int managementPort, int remotePort, Path log, String host) {
    this.process = process;
    this.host = host;
    this.httpPort = httpPort;
    this.managementPort = managementPort;
    this.remotePort = remotePort;
    this.log = log;
  }

  /** Free ports for a node: HTTP, management, remoting. */
  public static int[] freePorts(int count) {
    int[] ports = new int[count];
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0);
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return ports;
  }

  public static RelayProcess start(Path jar, Map<String, String> env, int[] ports, Path log) {
    return start(jar, env, ports, log, "127.0.0.1");
  }

  /** A node whose management (and whatever else {@code env} says) answers on {@code host}, e.g. 127.0.0.2. */
  public static RelayProcess start(Path jar, Map<String, String> env, int[] ports, Path log, String host) {
    Map<String, String> environment = new HashMap<>(env);
    // Stand-in destinations listen on loopback, which is refused by default; a test may say otherwise.
    environment.putIfAbsent("RELAY_ALLOWED_NETWORKS", "127.0.0.0/8");
    environment.put("RELAY_HTTP_PORT", String.valueOf(ports[0]));
    environment.put("RELAY_MANAGEMENT_PORT", String.valueOf(ports[1]));
    environment.put("RELAY_REMOTE_PORT", String.valueOf(ports[2]));
    ProcessBuilder builder =
        new ProcessBuilder(javaBinary(), "-Xmx512m", "-jar", jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    try {
      return new RelayProcess(builder.start(), ports[0], ports[1], ports[2], log, host);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The packaged jar; the tests that use it run after {@code mvn package}. */
  public static Path jar() {
    Path jar = Path.of("target", "relay.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run these tests with mvn verify");
    }
    return jar;
  }

  /** Waits for management's /ready; returns how long it took. */
  public Duration awaitReady(Duration atMost) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long start = System.nanoTime();
    long deadline = start + atMost.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("node exited with " + process.exitValue() + "; log: " + tail());
      }
      try {
        HttpResponse<Void> response =
            client.send(
                HttpRequest.newBuilder(URI.create("http://" + host + ":" + managementPort + "/ready")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return Duration.ofNanos(System.nanoTime() - start);
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("node not ready within " + atMost + "; log: " + tail());
  }

  /** Waits for the process to end by itself; its exit code. */
  public int awaitExit(Duration atMost) {
    try {
      if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("node still running after " + atMost + "; log: " + tail());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM, as Kubernetes stops a pod, and waits for the exit. */
  public int stop(Duration atMost) {
    process.destroy();
    try {
      if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("node did not stop within " + atMost + "; log: " + tail());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** SIGKILL: a crash. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(File.separator.equals("/") ? "\n" : "\r\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }
}
