package dev.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.RelayConfig;
import dev.relay.testing.KubernetesApiStandIn;
import dev.relay.testing.KubernetesApiStandIn.Pod;
import dev.relay.testing.PostgresDatabase;
import dev.relay.testing.RelayProcess;
import dev.relay.testing.SelfSignedCertificate;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.StandInDestination.Answer;
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
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Relay as it runs on Kubernetes, without Kubernetes: three {@code java -Dconfig.file=cluster.conf
 * -jar target/relay.jar} processes, each a "pod" on its own loopback address (127.0.0.2, .3, .4, and
 * new addresses for replacements, as new pods get new IPs), sharing one fresh PostgreSQL database.
 * They get no seed nodes: they find each other through Cluster Bootstrap and Kubernetes API
 * discovery, asking a stand-in API server over HTTPS (CA, token and namespace read from files, as
 * from a service account mount) for the pods labelled as {@code cluster.conf} says. Remoting
 * between them is TLS, with a certificate mounted as a kubernetes.io/tls Secret would be.
 *
 * <p>In order: the cluster forms and delivers; a rolling restart (each node SIGTERMed and replaced)
 * under client load with SDK-style retries loses nothing acknowledged; a node killed with SIGKILL
 * loses nothing either. Figures are printed as {@code [k8s]} lines (in
 * target/failsafe-reports/dev.relay.cluster.KubernetesClusterIT-output.txt); node logs are kept in
 * target/kubernetes-cluster-it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesClusterIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN_TOKEN = "kubernetes-cluster-it-admin-token-0123456789";
  private static final String NAMESPACE = "relay";
  /** The pod labels of k8s/base/deployment.yaml; cluster.conf selects contact points by them. */
  private static final Map<String, String> POD_LABELS = Map.of("app", "relay");
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration DELIVERY = Duration.ofSeconds(120);
  /** How long after SIGTERM a stopping pod still gets requests through the Service. */
  private static final Duration ENDPOINTS_LAG = Duration.ofSeconds(1);

  /**
   * As in ClusterIT: C1 only and the serial GC (three JVMs starting at once on two cores), retries
   * starting at 200 ms. The Split Brain Resolver keeps cluster.conf's production settings.
   */
  private static final String JVM_OPTIONS =
      String.join(" ", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Drelay.delivery.retry.base-delay=200ms");

  private static final int NUMBER_OF_SHARDS =
      RelayConfig.load().getInt("pekko.cluster.sharding.number-of-shards");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Path work = Path.of("target", "kubernetes-cluster-it").toAbsolutePath();
  private final List<Node> nodes = new CopyOnWriteArrayList<>();
  private final List<Node> gone = new ArrayList<>();
  private final AtomicInteger messageIds = new AtomicInteger();
  private final AtomicInteger pods = new AtomicInteger();
  private final Map<String, String> figures = new LinkedHashMap<>();

  private PostgresDatabase database;
  private StandInDestination standIn;
  private KubernetesApiStandIn kubernetes;
  private Path remotingTls;
  private Source source;
  private List<Destination> destinations;

  /** A Relay process playing a pod. */
  private record Node(String pod, String ip, RelayProcess process) {
    String address() {
      return "pekko://relay@" + ip + ":" + process.remotePort;
    }

    String api(String path) {
      return "http://" + ip + ":" + process.httpPort + path;
    }

    String management(String path) {
      return "http://" + ip + ":" + process.managementPort + path;
    }

    @Override
    public String toString() {
      return pod + " (" + address() + ")";
    }
  }

  private record Destination(String id, String path) {}

  private record Source(String id, String writeKey) {}

  @BeforeAll
  void startPods() throws IOException {
    database = PostgresDatabase.create();
    standIn = StandInDestination.start();
    Files.createDirectories(work);
    kubernetes = KubernetesApiStandIn.start(work.resolve("kubernetes"), NAMESPACE);
    List<String> podIps = IntStream.rangeClosed(2, 20).mapToObj(i -> "127.0.0." + i).toList();
    remotingTls =
        SelfSignedCertificate.create(work, "relay-remoting", podIps).writeTlsSecret(work.resolve("remoting-tls"));
    for (int i = 0; i < 3; i++) {
      nodes.add(startPod());
    }
  }

  /** Lists a new pod (new name, new IP) with the stand-in API and starts its process. */
  private Node startPod() throws IOException {
    int n = pods.getAndIncrement();
    String pod = "relay-" + n;
    String ip = "127.0.0." + (2 + n);
    int[] ports = RelayProcess.freePorts(3);
    Path log = work.resolve(pod + ".log");
    Files.deleteIfExists(log);
    Path serviceAccount = kubernetes.serviceAccountDirectory();
    Map<String, String> env = new HashMap<>();
    // What k8s/base/deployment.yaml sets, from the downward API, the ConfigMap and the Secret.
    env.put("RELAY_REMOTE_HOST", ip);
    env.put("RELAY_MANAGEMENT_HOST", ip);
    env.put("RELAY_DB_URL", database.url());
    env.put("RELAY_DB_USER", PostgresDatabase.USER);
    env.put("RELAY_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("RELAY_REMOTE_TRANSPORT", "tls-tcp");
    env.put("RELAY_REMOTE_TLS_DIR", remotingTls.toString());
    // What Kubernetes gives every pod.
    env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
    env.put("KUBERNETES_SERVICE_PORT", String.valueOf(kubernetes.port()));
    // What only loopback needs: every pod binds its own address, the stand-ins are on loopback.
    env.put("RELAY_HTTP_INTERFACE", ip);
    env.put("RELAY_ALLOWED_NETWORKS", "127.0.0.0/8");
    env.put("RELAY_DATA_DIR", work.resolve(pod + "-data").toString());
    env.put("JAVA_TOOL_OPTIONS", String.join(" ",
        JVM_OPTIONS,
        "-Dconfig.file=" + Path.of("cluster.conf").toAbsolutePath(),
        "-Dpekko.remote.artery.bind.hostname=" + ip,
        "-Dpekko.management.http.bind-hostname=" + ip,
        "-Dpekko.discovery.kubernetes-api.api-ca-path=" + serviceAccount.resolve("ca.crt"),
        "-Dpekko.discovery.kubernetes-api.api-token-path=" + serviceAccount.resolve("token"),
        "-Dpekko.discovery.kubernetes-api.pod-namespace-path=" + serviceAccount.resolve("namespace")));
    kubernetes.add(new Pod(pod, ip, POD_LABELS,
        Map.of("http", ports[0], "management", ports[1], "remoting", ports[2])));
    return new Node(pod, ip, RelayProcess.start(RelayProcess.jar(), env, ports, log, ip));
  }

  @AfterAll
  void stopPods() {
    nodes.forEach(node -> node.process().close());
    gone.forEach(node -> node.process().close());
    if (kubernetes != null) {
      kubernetes.close();
    }
    if (standIn != null) {
      standIn.close();
    }
    if (database != null) {
      database.close();
    }
    System.out.println("[k8s] summary (" + Runtime.getRuntime().availableProcessors() + " cores):");
    figures.forEach((what, value) -> System.out.println("[k8s]   " + what + ": " + value));
  }

  // ---------------------------------------------------------------------------------------------
  // 1. Formation through Cluster Bootstrap

  @Test
  @Order(1)
  void threePodsFormOneClusterThroughBootstrapAloneAndDeliver() throws IOException {
    long started = System.nanoTime();
    for (Node node : nodes) {
      node.process().awaitReady(START);
    }
    awaitMembers(nodes, START);
    figure("three pods started at once: one cluster, all Up and ready", since(started));

    assertFalse(kubernetes.queries().isEmpty(), "the nodes asked the Kubernetes API for their peers");
    for (KubernetesApiStandIn.Query query : kubernetes.queries()) {
      assertEquals(NAMESPACE, query.namespace(), "the namespace is read from the service account mount");
      assertEquals("app=relay", query.labelSelector(), "the contact points are the pods labelled as the Deployment labels them");
    }
    for (Node node : nodes) {
      String log = Files.readString(node.process().log);
      assertTrue(log.contains("Remoting started with transport [Artery tls-tcp]"),
          node + " speaks TLS to its peers: " + node.process().tail());
    }

    standIn.alwaysAnswer(Answer.status(200));
    Node first = nodes.get(0);
    source = createSource(first, "k8s");
    destinations = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      Destination destination = createDestination(first, "/k8s/" + i, i % 2 == 0 ? 5 : 1);
      connect(first, destination, source);
      destinations.add(destination);
    }
    List<String> acknowledged = new ArrayList<>();
    for (Node node : nodes) {
      List<String> ids = newMessageIds(3);
      assertEquals(200, ingest(node, source.writeKey(), ids), "ingest through " + node);
      acknowledged.addAll(ids);
    }
    awaitDelivered(destinations, acknowledged, DELIVERY);
  }

  // ---------------------------------------------------------------------------------------------
  // 2. Rolling restart under load

  @Test
  @Order(2)
  void aRollingRestartUnderLoadLosesNothingAcknowledged() throws Exception {
    awaitMembers(nodes, Duration.ofSeconds(30));
    standIn.alwaysAnswer(Answer.status(200));
    // The Service's endpoints: ready pods only; a pod leaves them when it is told to stop.
    List<Node> endpoints = new CopyOnWriteArrayList<>(nodes);
    Clients clients = Clients.start(this, endpoints, source, 3);

    long rolling = System.nanoTime();
    for (Node old : List.copyOf(nodes)) {
      awaitUntil(Duration.ofSeconds(30), () -> clients.acknowledgedCount() > 0 ? null : "traffic before the restart");
      long stopping = System.nanoTime();
      // Kubernetes sends SIGTERM and takes the pod out of the Service's endpoints at the same
      // time; proxies learn of it a moment later, so requests keep arriving for about a second.
      CompletableFuture<Void> unlisted = CompletableFuture.runAsync(
          () -> endpoints.remove(old), CompletableFuture.delayedExecutor(ENDPOINTS_LAG.toMillis(), TimeUnit.MILLISECONDS));
      int exit = old.process().stop(Duration.ofSeconds(60));
      unlisted.join();
      figure("rolling restart: SIGTERM until " + old.pod() + " exited", since(stopping));
      assertTrue(exit == 0 || exit == 143, "SIGTERM ends " + old + ", exit " + exit);
      assertTrue(Files.readString(old.process().log).contains("Exiting completed"),
          old + " left the cluster before exiting: " + old.process().tail());
      kubernetes.remove(old.pod());
      nodes.remove(old);
      gone.add(old);

      long starting = System.nanoTime();
      Node replacement = startPod();
      nodes.add(replacement);
      replacement.process().awaitReady(START);
      awaitMembers(nodes, START);
      endpoints.add(replacement);
      figure("rolling restart: " + replacement.pod() + " started until Up everywhere and ready", since(starting));
    }
    figure("rolling restart of all three pods", since(rolling));
    clients.stop();
    clients.awaitDone();

    List<String> acknowledged = clients.acknowledged();
    assertFalse(acknowledged.isEmpty(), "clients were served during the rolling restart");
    awaitDelivered(destinations, acknowledged, DELIVERY);
    figure("rolling restart: events acknowledged under load", acknowledged.size() + " in "
        + clients.acknowledgedCount() + " requests, given up after all retries: " + clients.givenUp());
    figure("rolling restart: answers 503 / no connection", clients.count(503) + " / " + clients.count(-1)
        + " (other non-200: " + clients.otherFailures() + ")");
    figure("rolling restart: longest stretch from a failed answer to the next 200 any client got",
        clients.longestFailureStretch().toMillis() + " ms");
    figure("rolling restart: longest a request waited from its first failure to its acknowledgement",
        clients.longestRetry().toMillis() + " ms");
    figure("rolling restart: events delivered more than once (per destination, at-least-once)",
        String.valueOf(duplicates(destinations, acknowledged)));
  }

  // ---------------------------------------------------------------------------------------------
  // 3. A crash

  @Test
  @Order(3)
  void nothingAcknowledgedIsLostWhenAPodIsKilled() throws Exception {
    awaitMembers(nodes, Duration.ofSeconds(30));
    Node via = nodes.get(0);
    standIn.alwaysAnswer(Answer.status(503));
    Source crash = createSource(via, "k8s-crash");
    List<Destination> crashing = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      Destination destination = createDestination(via, "/k8s-crash/" + i, i % 2 == 0 ? 5 : 1);
      connect(via, destination, crash);
      crashing.add(destination);
    }
    Node victim = busiest(crashing);
    List<Node> survivors = nodes.stream().filter(n -> n != victim).toList();
    List<String> acknowledged = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      List<String> ids = newMessageIds(3);
      assertEquals(200, ingest(survivors.get(i % 2), crash.writeKey(), ids), "ingest before the crash");
      acknowledged.addAll(ids);
    }
    awaitAttempted(crashing);
    List<Destination> onVictim = hostedBy(victim, crashing);
    assertFalse(onVictim.isEmpty(), "the pod to kill hosts some of the destinations");

    // Requests go on through the survivors up to the crash: the last acknowledgements were
    // journaled by the victim's entities moments before it died.
    List<Node> endpoints = new CopyOnWriteArrayList<>(survivors);
    Clients clients = Clients.start(this, endpoints, crash, 3);
    awaitUntil(Duration.ofSeconds(30), () -> clients.acknowledgedCount() >= 5 ? null : "traffic before the crash");
    clients.stop();
    victim.process().kill();
    long killedAt = System.nanoTime();
    long killedAtMillis = System.currentTimeMillis();
    nodes.remove(victim);
    gone.add(victim);
    kubernetes.remove(victim.pod());
    standIn.alwaysAnswer(Answer.status(200));

    Map<String, Long> firstSeen = new LinkedHashMap<>();
    awaitUntil(DELIVERY, () -> {
      List<String> expected = new ArrayList<>(acknowledged);
      expected.addAll(clients.acknowledged());
      if (!firstSeen.containsKey("removed") && membersSeenBy(survivors).equals(addressesOf(survivors))) {
        firstSeen.put("removed", System.nanoTime());
      }
      if (!firstSeen.containsKey("victim's first") && acceptedSince(onVictim, killedAtMillis) > 0) {
        firstSeen.put("victim's first", System.nanoTime());
      }
      String missing = describeMissing(crashing, expected);
      if (missing == null && clients.isDone() && firstSeen.containsKey("removed")) {
        return null;
      }
      return "after killing " + victim + ": " + (missing == null ? "all delivered" : missing)
          + "; removed from the membership: " + firstSeen.containsKey("removed") + "; clients done: " + clients.isDone();
    });
    com.typesafe.config.Config sbrSettings = com.typesafe.config.ConfigFactory.parseFile(Path.of("cluster.conf").toFile())
        .getConfig("pekko.cluster.split-brain-resolver");
    String sbr = "SBR " + sbrSettings.getString("active-strategy") + ", stable-after " + sbrSettings.getString("stable-after");
    figure("crash: SIGKILL until the survivors removed the pod (" + sbr + ")", between(killedAt, firstSeen.get("removed")));
    figure("crash: SIGKILL until the killed pod's destinations delivered again", between(killedAt, firstSeen.get("victim's first")));
    figure("crash: SIGKILL until all " + (acknowledged.size() + clients.acknowledged().size())
        + " acknowledged events were delivered to " + crashing.size() + " destinations", since(killedAt));
    awaitMembers(nodes, Duration.ofSeconds(10));
    for (Node survivor : survivors) {
      assertEquals(200, status(survivor.management("/ready")), survivor + " is still ready");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Clients with SDK-style retries

  /** One outcome of one attempt: the status (-1 without an answer) and when it came. */
  private record Attempt(int status, long atNanos) {}

  /**
   * Two clients sending batches one after the other, each retried as Segment's SDKs do (on 5xx, 429
   * and network errors, with exponential backoff, same messageIds) through the next endpoint.
   */
  private static final class Clients {
    private static final int MAX_ATTEMPTS = 12;
    private final List<String> acknowledged = new CopyOnWriteArrayList<>();
    private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger givenUp = new AtomicInteger();
    private final AtomicBoolean on = new AtomicBoolean(true);
    private volatile long longestRetryNanos;
    private CompletableFuture<Void> loops;

    static Clients start(KubernetesClusterIT test, List<Node> endpoints, Source source, int perRequest) {
      Clients clients = new Clients();
      AtomicInteger next = new AtomicInteger();
      Runnable client = () -> {
        while (clients.on.get()) {
          List<String> ids = test.newMessageIds(perRequest);
          long firstFailure = 0;
          for (int attempt = 0; ; attempt++) {
            List<Node> live = List.copyOf(endpoints);
            int status = live.isEmpty() ? -1 : test.ingest(live.get(Math.floorMod(next.getAndIncrement(), live.size())), source.writeKey(), ids);
            long now = System.nanoTime();
            clients.attempts.add(new Attempt(status, now));
            if (status == 200) {
              clients.acknowledged.addAll(ids);
              clients.requests.incrementAndGet();
              if (firstFailure != 0) {
                clients.longestRetryNanos = Math.max(clients.longestRetryNanos, now - firstFailure);
              }
              break;
            }
            if (firstFailure == 0) {
              firstFailure = now;
            }
            if (attempt + 1 >= MAX_ATTEMPTS || !(status == -1 || status == 429 || status >= 500)) {
              clients.givenUp.incrementAndGet();
              break;
            }
            try {
              Thread.sleep(Math.min(2_000, 100L << attempt));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        }
      };
      clients.loops = CompletableFuture.allOf(CompletableFuture.runAsync(client), CompletableFuture.runAsync(client));
      return clients;
    }

    /** No batch starts after this; those under way finish, retries included. */
    void stop() {
      on.set(false);
    }

    boolean isDone() {
      return loops.isDone();
    }

    void awaitDone() throws Exception {
      loops.get(120, TimeUnit.SECONDS);
    }

    List<String> acknowledged() {
      return List.copyOf(acknowledged);
    }

    int acknowledgedCount() {
      return requests.get();
    }

    int givenUp() {
      return givenUp.get();
    }

    long count(int status) {
      return attempts.stream().filter(a -> a.status() == status).count();
    }

    long otherFailures() {
      return attempts.stream().filter(a -> a.status() != 200 && a.status() != 503 && a.status() != -1).count();
    }

    Duration longestRetry() {
      return Duration.ofNanos(longestRetryNanos);
    }

    /** The longest time from a failed answer (any client) to the next 200 (any client). */
    Duration longestFailureStretch() {
      List<Attempt> inOrder = attempts.stream().sorted((a, b) -> Long.compare(a.atNanos(), b.atNanos())).toList();
      long longest = 0;
      long failingSince = -1;
      for (Attempt attempt : inOrder) {
        if (attempt.status() == 200) {
          if (failingSince >= 0) {
            longest = Math.max(longest, attempt.atNanos() - failingSince);
          }
          failingSince = -1;
        } else if (failingSince < 0) {
          failingSince = attempt.atNanos();
        }
      }
      return Duration.ofNanos(longest);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sources, destinations, ingest

  private Destination createDestination(Node via, String path, int batchSize) {
    ObjectNode body = JSON.createObjectNode().put("name", "k8s-it " + path).put("type", "webhook");
    body.putObject("settings").put("url", standIn.url(path)).put("batchSize", batchSize);
    JsonNode created = expect(201, via, "POST", "/api/destinations", body);
    return new Destination(created.path("id").asText(), path);
  }

  private Source createSource(Node via, String name) {
    ObjectNode body = JSON.createObjectNode().put("name", name).put("type", "server");
    JsonNode created = expect(201, via, "POST", "/api/sources", body);
    return new Source(created.path("id").asText(), created.path("writeKey").asText());
  }

  private void connect(Node via, Destination destination, Source source) {
    expect(200, via, "PUT", "/api/destinations/" + destination.id() + "/sources/" + source.id(), null);
  }

  private List<String> newMessageIds(int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add("k8s-it-" + messageIds.incrementAndGet());
    }
    return ids;
  }

  /** POST /v1/batch of track events with these messageIds; the status, or -1 without an answer. */
  private int ingest(Node via, String writeKey, List<String> ids) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode batch = body.putArray("batch");
    for (String id : ids) {
      batch.addObject().put("type", "track").put("event", "Order Completed").put("userId", "u-" + id)
          .put("messageId", id).putObject("properties").put("total", 42);
    }
    String credentials = Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    HttpRequest request = HttpRequest.newBuilder(URI.create(via.api("/v1/batch")))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Basic " + credentials)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // What the stand-in destination saw

  private long acceptedSince(List<Destination> destinations, long epochMillis) {
    Set<String> paths = destinations.stream().map(Destination::path).collect(Collectors.toSet());
    return standIn.accepted().stream().filter(r -> paths.contains(r.path()) && r.atMillis() >= epochMillis).count();
  }

  private void awaitAttempted(List<Destination> destinations) {
    awaitUntil(Duration.ofSeconds(30), () -> {
      Set<String> attempted = standIn.received().stream().map(StandInDestination.Received::path).collect(Collectors.toSet());
      List<String> waiting = destinations.stream().map(Destination::path).filter(p -> !attempted.contains(p)).toList();
      return waiting.isEmpty() ? null : "a first attempt at " + waiting;
    });
  }

  private void awaitDelivered(List<Destination> destinations, Collection<String> ids, Duration atMost) {
    awaitUntil(atMost, () -> describeMissing(destinations, ids));
  }

  /** Null when every destination accepted every one of {@code ids}, else what is missing. */
  private String describeMissing(List<Destination> destinations, Collection<String> ids) {
    Map<String, List<String>> accepted = acceptedIds();
    Map<String, Set<String>> missing = new LinkedHashMap<>();
    for (Destination destination : destinations) {
      Set<String> absent = new TreeSet<>(ids);
      absent.removeAll(accepted.getOrDefault(destination.path(), List.of()));
      if (!absent.isEmpty()) {
        missing.put(destination.path(), absent);
      }
    }
    if (missing.isEmpty()) {
      return null;
    }
    return "delivery of " + ids.size() + " events to " + destinations.size() + " destinations; missing "
        + missing.entrySet().stream()
            .map(e -> e.getKey() + ": " + e.getValue().size() + " e.g. " + e.getValue().iterator().next())
            .collect(Collectors.joining(", "));
  }

  /** How many of {@code ids} a destination accepted more than once, summed over the destinations. */
  private long duplicates(List<Destination> destinations, Collection<String> ids) {
    Map<String, List<String>> accepted = acceptedIds();
    Set<String> wanted = new HashSet<>(ids);
    long duplicates = 0;
    for (Destination destination : destinations) {
      Map<String, Long> counts = accepted.getOrDefault(destination.path(), List.of()).stream()
          .filter(wanted::contains)
          .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
      duplicates += counts.values().stream().filter(c -> c > 1).count();
    }
    return duplicates;
  }

  /** The messageIds each destination path accepted, one entry per delivery. */
  private Map<String, List<String>> acceptedIds() {
    Map<String, List<String>> accepted = new HashMap<>();
    for (StandInDestination.Received request : standIn.accepted()) {
      try {
        accepted.computeIfAbsent(request.path(), p -> new ArrayList<>())
            .addAll(JSON.readTree(request.body()).findValuesAsText("messageId"));
      } catch (IOException e) {
        throw new AssertionError("the stand-in received a body that is not JSON: " + request.body(), e);
      }
    }
    return accepted;
  }

  // ---------------------------------------------------------------------------------------------
  // Membership and shards, from the management API

  private void awaitMembers(List<Node> expected, Duration atMost) {
    Set<String> addresses = addressesOf(expected);
    awaitUntil(atMost, () -> {
      for (Node node : expected) {
        Set<String> seen = upMembers(node);
        if (!seen.equals(addresses)) {
          return node + " to list " + addresses + " as Up with none unreachable; it lists " + seen;
        }
      }
      return null;
    });
  }

  private Set<String> membersSeenBy(List<Node> observers) {
    Set<String> union = new TreeSet<>();
    for (Node node : observers) {
      Set<String> seen = upMembers(node);
      if (seen.isEmpty()) {
        return Set.of("(" + node + " did not answer)");
      }
      union.addAll(seen);
    }
    return union;
  }

  private static Set<String> addressesOf(List<Node> nodes) {
    return nodes.stream().map(Node::address).collect(Collectors.toCollection(TreeSet::new));
  }

  private Set<String> upMembers(Node node) {
    JsonNode members = getJson(node.management("/cluster/members"));
    if (members == null) {
      return Set.of();
    }
    Set<String> up = new TreeSet<>();
    members.path("members").forEach(m -> {
      if ("Up".equals(m.path("status").asText())) {
        up.add(m.path("node").asText());
      }
    });
    members.path("unreachable").forEach(u -> up.add("unreachable: " + u.path("node").asText()));
    return up;
  }

  private Node busiest(List<Destination> destinations) {
    Node busiest = null;
    for (Node node : nodes) {
      if (busiest == null || hostedBy(node, destinations).size() > hostedBy(busiest, destinations).size()) {
        busiest = node;
      }
    }
    return busiest;
  }

  /** Which of the destinations {@code node} hosts, from the shards its region reports. */
  private List<Destination> hostedBy(Node node, List<Destination> destinations) {
    JsonNode regions = getJson(node.management("/cluster/shards/Destination"));
    Set<String> shards = new HashSet<>();
    if (regions != null) {
      regions.path("regions").forEach(r -> shards.add(r.path("shardId").asText()));
    }
    return destinations.stream()
        .filter(d -> shards.contains(String.valueOf(Math.abs(d.id().hashCode() % NUMBER_OF_SHARDS))))
        .toList();
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP and waiting

  private JsonNode expect(int status, Node via, String method, String path, JsonNode body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(via.api(path)))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + ADMIN_TOKEN)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()))
        .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      assertEquals(status, response.statusCode(), method + " " + path + " on " + via + ": " + response.body());
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " on " + via + " failed: " + e + "; log: " + via.process().tail(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private JsonNode getJson(String url) {
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private int status(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Polls {@code problem} (null once the awaited state holds) until it holds; fails after {@code atMost}. */
  private void awaitUntil(Duration atMost, Supplier<String> problem) {
    long deadline = System.nanoTime() + atMost.toNanos();
    String last = problem.get();
    while (last != null) {
      if (System.nanoTime() > deadline) {
        StringBuilder logs = new StringBuilder();
        nodes.forEach(n -> logs.append("\n--- ").append(n).append(":\n").append(n.process().tail()));
        throw new AssertionError("timed out after " + atMost + " waiting for " + last + logs);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      last = problem.get();
    }
  }

  private static Duration between(long startNanos, long endNanos) {
    return Duration.ofNanos(endNanos - startNanos);
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  private void figure(String what, Duration took) {
    figure(what, took.toMillis() + " ms");
  }

  private void figure(String what, String value) {
    figures.put(what, value);
    System.out.println("[k8s] " + what + ": " + value);
  }
}
