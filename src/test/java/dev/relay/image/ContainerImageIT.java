package dev.relay.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.relay.Main;
import dev.relay.testing.PostgresDatabase;
import dev.relay.testing.RelayProcess;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The container image as the README builds it without a daemon or a registry: {@code mvn
 * jib:buildTar} on a base image tarball made by {@code image/base-image.sh}. Here the base is an
 * empty layer (CI reaches no registry, and building the Debian JRE base takes minutes), so the
 * test checks what Relay puts in the image: the entrypoint, user, ports and environment of its
 * configuration, its files, and that the entrypoint's class path and cluster.conf start a node
 * (with this machine's JRE standing in for the base's).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerImageIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path work = Path.of("target", "image-it").toAbsolutePath();
  private final Path image = work.resolve("relay-image.tar");
  private final Path root = work.resolve("root");
  private JsonNode config;
  private Process node;

  @BeforeAll
  void buildTheImageTarball() throws Exception {
    deleteRecursively(work);
    Files.createDirectories(work.resolve("empty-base"));
    Path base = work.resolve("base.tar");
    run(work, "bash", Path.of("image", "base-image.sh").toAbsolutePath().toString(), "dir",
        work.resolve("empty-base").toString(), base.toString());
    run(Path.of("").toAbsolutePath(), "mvn", "-B", "-q", "jib:buildTar",
        "-Drelay.image.base=tar://" + base, "-Djib.outputPaths.tar=" + image);

    Path unpacked = Files.createDirectories(work.resolve("unpacked"));
    run(unpacked, "tar", "-xf", image.toString());
    config = JSON.readTree(unpacked.resolve("config.json").toFile()).path("config");
    // The layers in order, as a container runtime stacks them.
    Files.createDirectories(root);
    for (JsonNode layer : JSON.readTree(unpacked.resolve("manifest.json").toFile()).path(0).path("Layers")) {
      run(root, "tar", "-xzf", unpacked.resolve(layer.asText()).toString());
    }
  }

  @AfterAll
  void stopNode() {
    if (node != null && node.isAlive()) {
      node.destroyForcibly();
    }
  }

  @Test
  void theEntrypointRunsMainWithClusterConfAndAHeapSizedFromTheContainerMemory() {
    List<String> entrypoint = texts(config.path("Entrypoint"));
    assertEquals("java", entrypoint.get(0), "the base's java: " + entrypoint);
    assertEquals("dev.relay.Main", entrypoint.get(entrypoint.size() - 1), entrypoint.toString());
    assertTrue(entrypoint.contains("-Dconfig.file=/app/cluster.conf"), entrypoint.toString());
    assertTrue(entrypoint.stream().anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage=")), "heap from the memory limit: " + entrypoint);
    assertTrue(entrypoint.stream().noneMatch(a -> a.startsWith("-Xmx")), "no fixed heap: " + entrypoint);
    assertTrue(texts(config.path("Env")).contains("RELAY_DATA_DIR=/tmp/relay"), "data dir on the writable /tmp: " + config.path("Env"));
  }

  @Test
  void itRunsAsANumericNonRootUser() {
    String user = config.path("User").asText();
    assertTrue(user.matches("[1-9][0-9]*(:[0-9]+)?"), "numeric, not root, so runAsNonRoot can check it: " + user);
    String uid = user.split(":")[0];
    Map<String, Object> deployment = deployment();
    assertEquals(uid, String.valueOf(path(deployment, "spec", "template", "spec", "securityContext", "runAsUser")),
        "the Deployment runs it as the image's user");
  }

  @Test
  void itExposesExactlyTheContainerPortsOfTheDeployment() {
    Set<String> exposed = new TreeSet<>();
    config.path("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> containers = (List<Map<String, Object>>) path(deployment(), "spec", "template", "spec", "containers");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> ports = (List<Map<String, Object>>) containers.get(0).get("ports");
    Set<String> declared = ports.stream().map(p -> p.get("containerPort") + "/tcp").collect(Collectors.toCollection(TreeSet::new));
    assertEquals(declared, exposed);
  }

  @Test
  void itHoldsClusterConfAndEveryClassPathEntry() throws IOException {
    assertEquals(Files.readString(Path.of("cluster.conf")), Files.readString(root.resolve("app/cluster.conf")), "cluster.conf as in the repository");
    List<String> classPath = List.of(Files.readString(root.resolve("app/jib-classpath-file")).trim().split(":"));
    assertTrue(classPath.size() > 50, "classes, resources and the dependencies: " + classPath.size());
    for (String entry : classPath) {
      assertTrue(Files.exists(root.resolve(entry.substring(1))), entry + " is in the image");
    }
    assertTrue(Files.exists(root.resolve("app/classes/dev/relay/Main.class")));
    assertTrue(Files.exists(root.resolve("app/resources/application.conf")));
  }

  @Test
  void theEntrypointStartsANode() throws Exception {
    try (PostgresDatabase database = PostgresDatabase.create()) {
      List<String> command = new ArrayList<>();
      for (String argument : texts(config.path("Entrypoint"))) {
        if (argument.equals("java")) {
          command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        } else if (argument.startsWith("@/")) {
          // The class path file names /app/...; here the image's files are under root.
          command.add(Stream.of(Files.readString(root.resolve(argument.substring(2))).trim().split(":"))
              .map(entry -> root + entry).collect(Collectors.joining(File.pathSeparator)));
        } else {
          command.add(argument.replace("=/app/", "=" + root + "/app/"));
        }
      }
      int[] ports = RelayProcess.freePorts(3);
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(work.resolve("node.log").toFile());
      Map<String, String> env = builder.environment();
      env.put("RELAY_DB_URL", database.url());
      env.put("RELAY_DB_USER", PostgresDatabase.USER);
      env.put("RELAY_ADMIN_TOKEN", "container-image-it-admin-token-0123456789");
      env.put("RELAY_DATA_DIR", work.resolve("data").toString());
      env.put("RELAY_HTTP_PORT", String.valueOf(ports[0]));
      env.put("RELAY_MANAGEMENT_PORT", String.valueOf(ports[1]));
      env.put("RELAY_REMOTE_PORT", String.valueOf(ports[2]));
      env.put("RELAY_REMOTE_HOST", "127.0.0.1");
      env.put("RELAY_MANAGEMENT_HOST", "127.0.0.1");
      // A cluster of one: no Kubernetes API to bootstrap from here.
      env.put("JAVA_TOOL_OPTIONS", "-Drelay.cluster.bootstrap=off -XX:TieredStopAtLevel=1");
      node = builder.start();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      int status = -1;
      while (status != 200) {
        assertTrue(node.isAlive(), "the node exited: " + Files.readString(work.resolve("node.log")));
        assertTrue(System.nanoTime() < deadline, "not ready in 90 s: " + Files.readString(work.resolve("node.log")));
        try {
          status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[1] + "/ready")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notYet) {
          Thread.sleep(200);
        }
      }
      assertTrue(Files.readString(work.resolve("node.log")).contains("database PostgreSQL"), "cluster.conf's PostgreSQL pool is in use");
      node.destroy();
      assertTrue(node.waitFor(60, TimeUnit.SECONDS), "SIGTERM stops it");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private static Map<String, Object> deployment() {
    try {
      return new ObjectMapper(new YAMLFactory()).readValue(Path.of("k8s", "base", "deployment.yaml").toFile(), Map.class);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Object path(Map<String, Object> map, String... keys) {
    Object current = map;
    for (String key : keys) {
      current = ((Map<String, Object>) current).get(key);
    }
    return current;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(t -> texts.add(t.asText()));
    return texts;
  }

  private static void run(Path directory, String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(5, TimeUnit.MINUTES), String.join(" ", command) + " did not finish");
    assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + output);
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (Files.exists(path)) {
      try (Stream<Path> files = Files.walk(path)) {
        files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
  }
}
