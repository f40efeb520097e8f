package dev.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.RelayConfig;
import dev.relay.destination.Destinations;
import dev.relay.testing.PostgresDatabase;
import dev.relay.testing.RelayProcess;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.StandInDestination;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Relay as a cluster of real processes: three {@code java -jar target/relay.jar} nodes sharing one
 * fresh PostgreSQL database, set up as the README says: every node lists all three as seed nodes
 * ({@code RELAY_SEED_NODES}), in the same order, and a restarted node comes back on its own address.
 * Checked from outside, over HTTP, the way an operator sees them.
 *
 * <p>The tests share one cluster and run in order: it forms; a source changed through one node
 * works on the others at once; a rolling restart of one node loses nothing and refuses next to no
 * request; a node killed with SIGKILL loses nothing either, its pending work delivered and its
 * read side projected by the survivors without new traffic, and it rejoins when started again; and
 * the first seed node, killed and started again, rejoins the same cluster rather than forming one of
 * its own. Timings are printed as {@code [cluster timing]} lines and summed up at the end (in
 * target/failsafe-reports/dev.relay.cluster.ClusterIT-output.txt); node logs are kept in
 * target/cluster-it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN_TOKEN = "cluster-it-admin-token-0123456789abcdef";
  /**
   * Ingest requests through the seed node a rolling restart of another node may refuse with a 503
   * (then the client retries): those whose destinations were moving at that moment, a handful.
   */
  private static final int ROLLING_RESTART_REFUSALS_AT_MOST = 2;
  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration DELIVERY = Duration.ofSeconds(90);

  /**
   * JVM settings of the test nodes, passed through the environment: C1 only and the serial GC
   * (three JVMs starting at once on two cores are ready in about 15 s instead of 40 s), the Split
   * Brain Resolver deciding after 5 s instead of 20 s, and retries starting at 200 ms.
   */
  private static final String JAVA_TOOL_OPTIONS =
      String.join(
          " ",
          "-XX:TieredStopAtLevel=1",
          "-XX:+UseSerialGC",
          "-Dpekko.cluster.split-brain-resolver.stable-after=5s",
          "-Drelay.delivery.retry.base-delay=200ms");

  /** Shard ids are Pekko's default: the entity id's hash modulo this, as the nodes configure it. */
  private static final int NUMBER_OF_SHARDS =
      RelayConfig.load().getInt("pekko.cluster.sharding.number-of-shards");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<String, Duration> timings = new LinkedHashMap<>();
  private final List<Node> nodes = new ArrayList<>();
  private final List<Node> gone = new ArrayList<>();
  private final AtomicInteger messageIds = new AtomicInteger();
  private final Path logs = Path.of("target", "cluster-it").toAbsolutePath();

  private PostgresDatabase database;
  private StandInDestination standIn;
  private String seedNodes;
  private long clusterStartedAt;

  // ---------------------------------------------------------------------------------------------
  // The cluster

  /** A node of the test cluster. */
  private record Node(String name, RelayProcess process) {
    String address() {
      return "pekko://relay@127.0.0.1:" + process.remotePort;
    }

    String api(String path) {
      return "http://127.0.0.1:" + process.httpPort + path;
    }

    String management(String path) {
      return "http://127.0.0.1:" + process.managementPort + path;
    }

    @Override
    public String toString() {
      return name + " (" + address() + ")";
    }
  }

  @BeforeAll
  void startCluster() throws IOException {
    database = PostgresDatabase.create();
    standIn = StandInDestination.start();
    Files.createDirectories(logs);
    // The README's setup: every node lists every node as a seed, the same list in the same order.
    List<int[]> ports = List.of(RelayProcess.freePorts(3), RelayProcess.freePorts(3), RelayProcess.freePorts(3));
    seedNodes = ports.stream().map(p -> "127.0.0.1:" + p[2]).collect(Collectors.joining(","));
    clusterStartedAt = System.nanoTime();
    nodes.add(startNode("a", ports.get(0)));
    nodes.add(startNode("b", ports.get(1)));
    nodes.add(startNode("c", ports.get(2)));
  }

  /** The node's ports, to start it again on its own address. */
  private static int[] portsOf(Node node) {
    return new int[] {node.process().httpPort, node.process().managementPort, node.process().remotePort};
  }

  private Node startNode(String name, int[] ports) {
    Path log = logs.resolve(name + ".log");
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<String, String> env = new HashMap<>();
    env.put("RELAY_DB_URL", database.url());
    env.put("RELAY_DB_USER", PostgresDatabase.USER);
    env.put("RELAY_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("RELAY_SEED_NODES", seedNodes);
    env.put("RELAY_HTTP_INTERFACE", "127.0.0.1");
    env.put("RELAY_ALLOWED_NETWORKS", "127.0.0.0/8");
    env.put("RELAY_DATA_DIR", logs.resolve(name + "-data").toString());
    env.put("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS);
    return new Node(name, RelayProcess.start(RelayProcess.jar(), env, ports, log));
  }

  @AfterAll
  void stopCluster() {
    nodes.forEach(node -> node.process().close());
    gone.forEach(node -> node.process().close());
    if (standIn != null) {
      standIn.close();
    }
    if (database != null) {
      database.close();
    }
    System.out.println("[cluster timing] summary (" + Runtime.getRuntime().availableProcessors() + " cores):");
    timings.forEach((what, took) -> System.out.println("[cluster timing]   " + what + ": " + took.toMillis() + " ms"));
  }

  // ---------------------------------------------------------------------------------------------
  // 1. Formation

  @Test
  @Order(1)
  void theNodesFormOneClusterAndEachBecomesReady() {
    for (Node node : nodes) {
      node.process().awaitReady(START);
    }
    awaitMembers(nodes, START);
    record("three nodes started at once: all Up and ready", since(clusterStartedAt));
  }

  // ---------------------------------------------------------------------------------------------
  // 2. The source directory

  @Test
  @Order(2)
  void aSourceChangedThroughOneNodeIsEffectiveOnTheOthersForTheVeryNextRequest() {
    Node a = nodes.get(0);
    standIn.alwaysAnswer(Answer.status(200));
    Destination destination = createDestination(a, "/directory", 1);
    List<String> acknowledged = new ArrayList<>();
    for (int round = 1; round <= 3; round++) {
      Source source = createSource(a, "directory-" + round);
      connect(a, destination, source);
      // No waiting: the admin call returns once every node has the change.
      for (Node other : nodes.subList(1, nodes.size())) {
        List<String> ids = newMessageIds(1);
        int status = ingest(other, source.writeKey(), ids);
        assertEquals(200, status, "round " + round + ": ingest on " + other + " right after connecting through " + a);
        acknowledged.addAll(ids);
      }

      delete(a, "/api/sources/" + source.id());
      for (Node other : nodes.subList(1, nodes.size())) {
        int status = ingest(other, source.writeKey(), newMessageIds(1));
        assertEquals(401, status, "round " + round + ": ingest on " + other + " right after deleting the source through " + a);
      }
    }
    awaitDelivered(List.of(destination), acknowledged, Duration.ofSeconds(30));
  }

  // ---------------------------------------------------------------------------------------------
  // 3. Rolling restart

  @Test
  @Order(3)
  void aRollingRestartOfANodeLosesNothingAndTheNodeRejoinsReady() throws Exception {
    awaitMembers(nodes, Duration.ofSeconds(30));
    Node a = nodes.get(0);
    standIn.alwaysAnswer(Answer.status(503));
    Source source = createSource(a, "rolling");
    List<Destination> destinations = createConnectedDestinations(a, source, "/rolling/", 6);
    Node restarted = busiestNonSeed(destinations);
    List<Node> others = nodes.stream().filter(n -> n != restarted).toList();
    System.out.println("[cluster] rolling restart of " + restarted + ", which hosts "
        + hostedBy(restarted, destinations).size() + " of " + destinations.size() + " destinations");

    // Pending work in retry everywhere, on the node to restart too.
    List<String> acknowledged = new ArrayList<>(ingestAll(others, source, 10, 3));
    awaitAttempted(destinations);

    // Traffic keeps coming through the seed node while the other node restarts.
    Traffic traffic = Traffic.start(this, List.of(a), source, 2);

    long stopping = System.nanoTime();
    int exit = restarted.process().stop(Duration.ofSeconds(60));
    record("rolling restart: SIGTERM until the process exited", since(stopping));
    assertTrue(exit == 0 || exit == 143, "SIGTERM ends the node, exit " + exit);
    assertTrue(Files.readString(restarted.process().log).contains("Exiting completed"),
        "the node left the cluster before exiting: " + restarted.process().tail());
    nodes.remove(restarted);
    gone.add(restarted);
    awaitMembers(nodes, Duration.ofSeconds(30));

    // Its pending work was handed over to the others; they deliver it while it starts again.
    standIn.alwaysAnswer(Answer.status(200));
    long starting = System.nanoTime();
    Node again = startNode(restarted.name() + "2", portsOf(restarted));
    nodes.add(again);
    again.process().awaitReady(START);
    awaitMembers(nodes, START);
    record("rolling restart: new process started until Up on every node and ready", since(starting));

    traffic.stop();
    traffic.awaitDone();
    System.out.println("[cluster] during the rolling restart " + a + " acknowledged "
        + traffic.acknowledged().size() / 2 + " requests and refused " + traffic.refused());
    acknowledged.addAll(traffic.acknowledged());
    awaitDelivered(destinations, acknowledged, DELIVERY);
    record("rolling restart: from the restart until " + acknowledged.size() + " events x "
        + destinations.size() + " destinations delivered", since(stopping));
    assertTrue(traffic.acknowledged().size() / 2 >= 10, "traffic went on during the restart: " + traffic.acknowledged().size() / 2);
    assertTrue(traffic.refused() <= ROLLING_RESTART_REFUSALS_AT_MOST,
        traffic.refused() + " requests refused during a graceful restart, more than " + ROLLING_RESTART_REFUSALS_AT_MOST);
  }

  // ---------------------------------------------------------------------------------------------
  // 4. A crash

  @Test
  @Order(4)
  void nothingAcknowledgedIsLostWhenANodeIsKilled() throws Exception {
    awaitMembers(nodes, Duration.ofSeconds(30));
    Node a = nodes.get(0);
    standIn.alwaysAnswer(Answer.status(503));
    Source source = createSource(a, "crash");
    List<Destination> destinations = createConnectedDestinations(a, source, "/crash/", 6);
    // Shards may still be rebalancing towards the node that joined last: choose the victim now.
    Node victim = busiestNonSeed(destinations);
    List<Node> survivors = nodes.stream().filter(n -> n != victim).toList();

    List<String> acknowledged = new ArrayList<>(ingestAll(survivors, source, 10, 3));
    awaitAttempted(destinations);
    List<Destination> onVictim = hostedBy(victim, destinations);
    assertTrue(!onVictim.isEmpty(), "the node to kill hosts some of the destinations");

    // Requests keep coming through the survivors up to the crash: the last acknowledgements were
    // journaled by the victim's entities moments before it died. None starts after it.
    Traffic traffic = Traffic.start(this, survivors, source, 3);
    awaitUntil(Duration.ofSeconds(30), () -> traffic.acknowledged().size() >= 15 ? null : "traffic before the crash");
    traffic.stop();
    victim.process().kill();
    long killedAt = System.nanoTime();
    long killedAtMillis = System.currentTimeMillis();
    nodes.remove(victim);
    gone.add(victim);
    standIn.alwaysAnswer(Answer.status(200));
    System.out.println("[cluster] killed " + victim + ", which hosted " + onVictim.size() + " of "
        + destinations.size() + " destinations with pending work");

    // From here on nobody sends Relay anything but management reads (and the request that was
    // under way at the crash, waiting for the dead node until the ingest timeout).
    List<Destination> onSurvivors = destinations.stream().filter(d -> !onVictim.contains(d)).toList();
    Map<String, Long> firstSeen = new LinkedHashMap<>();
    awaitUntil(
        DELIVERY,
        () -> {
          List<String> expected = new ArrayList<>(acknowledged);
          expected.addAll(traffic.acknowledged());
          if (!firstSeen.containsKey("removed") && membersSeenBy(survivors).equals(addressesOf(survivors))) {
            firstSeen.put("removed", System.nanoTime());
          }
          if (!firstSeen.containsKey("victim's first") && acceptedSince(onVictim, killedAtMillis) > 0) {
            firstSeen.put("victim's first", System.nanoTime());
          }
          if (!firstSeen.containsKey("survivors") && missing(onSurvivors, expected).isEmpty()) {
            firstSeen.put("survivors", System.nanoTime());
          }
          String missing = describeMissing(destinations, expected);
          if (missing == null && traffic.isDone() && firstSeen.containsKey("removed")) {
            return null;
          }
          return "after killing " + victim + ": " + (missing == null ? "all delivered" : missing)
              + "; the victim removed from the membership: " + firstSeen.containsKey("removed")
              + "; the traffic finished: " + traffic.isDone();
        });
    System.out.println("[cluster] " + acknowledged.size() / 3 + " requests acknowledged before the traffic, "
        + traffic.acknowledged().size() / 3 + " during it (" + traffic.refused() + " refused)");
    record("crash: SIGKILL until the survivors removed the node (SBR stable-after 5s)", between(killedAt, firstSeen.get("removed")));
    record("crash: SIGKILL until the survivors' own destinations delivered everything (retry backoff)", between(killedAt, firstSeen.get("survivors")));
    record("crash: SIGKILL until the first delivery by a destination of the killed node (failover)", between(killedAt, firstSeen.get("victim's first")));
    record("crash: SIGKILL until everything acknowledged was delivered", since(killedAt));
    awaitMembers(nodes, Duration.ofSeconds(10));
    for (Node survivor : survivors) {
      assertEquals(200, status(survivor.management("/ready")), survivor + " is still ready");
    }

    // The read side too: the projection instances of the killed node run on the survivors, and the
    // action log shows every acknowledged event delivered, once, at every destination.
    List<String> expected = new ArrayList<>(acknowledged);
    expected.addAll(traffic.acknowledged());
    Node reader = survivors.get(0);
    awaitUntil(Duration.ofSeconds(60), () -> describeUnprojected(reader, destinations, expected));
    record("crash: SIGKILL until the action log showed every delivery", since(killedAt));

    // Started again on its own address, it rejoins (every node is a seed).
    long restarting = System.nanoTime();
    Node again = startNode(victim.name() + "2", portsOf(victim));
    nodes.add(again);
    again.process().awaitReady(START);
    awaitMembers(nodes, START);
    record("crash: the killed node started again until Up on every node and ready", since(restarting));
  }

  // ---------------------------------------------------------------------------------------------
  // 5. The first seed node

  @Test
  @Order(5)
  void theFirstSeedNodeKilledAndStartedAgainRejoinsTheSameCluster() throws Exception {
    awaitMembers(nodes, Duration.ofSeconds(30));
    Node first = nodes.get(0);
    assertEquals("a", first.name(), "the first node of RELAY_SEED_NODES");
    List<Node> others = nodes.subList(1, nodes.size()).stream().toList();
    standIn.alwaysAnswer(Answer.status(503));
    Source source = createSource(others.get(0), "first-seed");
    List<Destination> destinations = createConnectedDestinations(others.get(0), source, "/first-seed/", 4);
    List<String> acknowledged = new ArrayList<>(ingestAll(others, source, 6, 2));
    awaitAttempted(destinations);

    first.process().kill();
    long killedAt = System.nanoTime();
    nodes.remove(first);
    gone.add(first);
    awaitMembers(nodes, DELIVERY);
    record("first seed: SIGKILL until the others removed it", since(killedAt));

    // With a lone seed it would now form a cluster of its own on the same database; with every
    // node listed it joins the others.
    long restarting = System.nanoTime();
    Node again = startNode("a2", portsOf(first));
    nodes.add(0, again);
    again.process().awaitReady(START);
    awaitMembers(nodes, START);
    record("first seed: started again until Up on every node and ready", since(restarting));

    standIn.alwaysAnswer(Answer.status(200));
    acknowledged.addAll(ingestAll(List.of(again), source, 3, 2));
    awaitDelivered(destinations, acknowledged, DELIVERY);
    awaitUntil(Duration.ofSeconds(60), () -> describeUnprojected(again, destinations, acknowledged));
  }

  // ---------------------------------------------------------------------------------------------
  // Sources, destinations, ingest

  private record Destination(String id, String path) {}

  private record Source(String id, String writeKey) {}

  private Destination createDestination(Node via, String path, int batchSize) {
    ObjectNode body = JSON.createObjectNode().put("name", "cluster-it " + path).put("type", "webhook");
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

  private void delete(Node via, String path) {
    expect(200, via, "DELETE", path, null);
  }

  /** Destinations sending one event per request and others batching, all fed by {@code source}. */
  private List<Destination> createConnectedDestinations(Node via, Source source, String prefix, int count) {
    List<Destination> destinations = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      Destination destination = createDestination(via, prefix + i, i % 2 == 0 ? 5 : 1);
      connect(via, destination, source);
      destinations.add(destination);
    }
    return destinations;
  }

  private List<String> newMessageIds(int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add("cluster-it-" + messageIds.incrementAndGet());
    }
    return ids;
  }

  /** {@code requests} batches of {@code perRequest} events, spread over {@code via}; all must be acknowledged. */
  private List<String> ingestAll(List<Node> via, Source source, int requests, int perRequest) {
    List<String> acknowledged = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      Node node = via.get(i % via.size());
      List<String> ids = newMessageIds(perRequest);
      assertEquals(200, ingest(node, source.writeKey(), ids), "ingest through " + node);
      acknowledged.addAll(ids);
    }
    return acknowledged;
  }

  /** POST /v1/batch of track events with these messageIds; the status, or -1 without an answer. */
  private int ingest(Node via, String writeKey, List<String> ids) {
    try {
      return http.send(ingestRequest(via, writeKey, ids), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private HttpRequest ingestRequest(Node via, String writeKey, List<String> ids) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode batch = body.putArray("batch");
    for (String id : ids) {
      batch.addObject().put("type", "track").put("event", "Order Completed").put("userId", "u-" + id)
          .put("messageId", id).putObject("properties").put("total", 42);
    }
    String credentials = Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    return HttpRequest.newBuilder(URI.create(via.api("/v1/batch")))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Basic " + credentials)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        .build();
  }

  /** Requests one after the other through some nodes, until stopped; what was acknowledged. */
  private static final class Traffic {
    private final List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicBoolean on = new AtomicBoolean(true);
    private CompletableFuture<Void> loop;

    static Traffic start(ClusterIT test, List<Node> via, Source source, int perRequest) {
      Traffic traffic = new Traffic();
      traffic.loop =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; traffic.on.get(); i++) {
                  List<String> ids = test.newMessageIds(perRequest);
                  if (test.ingest(via.get(i % via.size()), source.writeKey(), ids) == 200) {
                    traffic.acknowledged.addAll(ids);
                  } else {
                    traffic.refused.incrementAndGet();
                  }
                }
              });
      return traffic;
    }

    /** No request starts after this; the one under way may still finish. */
    void stop() {
      on.set(false);
    }

    boolean isDone() {
      return loop.isDone();
    }

    void awaitDone() throws Exception {
      loop.get(60, java.util.concurrent.TimeUnit.SECONDS);
    }

    List<String> acknowledged() {
      synchronized (acknowledged) {
        return List.copyOf(acknowledged);
      }
    }

    int refused() {
      return refused.get();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // What the stand-in destination saw

  /** How many requests to these destinations the stand-in accepted since {@code epochMillis}. */
  private long acceptedSince(List<Destination> destinations, long epochMillis) {
    Set<String> paths = destinations.stream().map(Destination::path).collect(Collectors.toSet());
    return standIn.accepted().stream().filter(r -> paths.contains(r.path()) && r.atMillis() >= epochMillis).count();
  }

  /** Waits until every destination has had at least one attempt: their work is in retry. */
  private void awaitAttempted(List<Destination> destinations) {
    awaitUntil(
        Duration.ofSeconds(30),
        () -> {
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
    Map<String, Set<String>> missing = missing(destinations, ids);
    if (missing.isEmpty()) {
      return null;
    }
    return "delivery of " + ids.size() + " events to " + destinations.size() + " destinations; missing "
        + missing.entrySet().stream()
            .map(e -> e.getKey() + ": " + e.getValue().size() + " e.g. " + e.getValue().iterator().next())
            .collect(Collectors.joining(", "));
  }

  /** The messageIds not (yet) accepted, by destination path. */
  private Map<String, Set<String>> missing(List<Destination> destinations, Collection<String> ids) {
    Map<String, Set<String>> accepted = new HashMap<>();
    for (StandInDestination.Received request : standIn.accepted()) {
      Set<String> seen = accepted.computeIfAbsent(request.path(), p -> new HashSet<>());
      try {
        seen.addAll(JSON.readTree(request.body()).findValuesAsText("messageId"));
      } catch (IOException e) {
        throw new AssertionError("the stand-in received a body that is not JSON: " + request.body(), e);
      }
    }
    Map<String, Set<String>> missing = new LinkedHashMap<>();
    for (Destination destination : destinations) {
      Set<String> absent = new TreeSet<>(ids);
      absent.removeAll(accepted.getOrDefault(destination.path(), Set.of()));
      if (!absent.isEmpty()) {
        missing.put(destination.path(), absent);
      }
    }
    return missing;
  }

  // ---------------------------------------------------------------------------------------------
  // The action log

  /**
   * Null when {@code via}'s action log lists each of {@code ids} exactly once per destination, as
   * delivered; else what is missing.
   */
  private String describeUnprojected(Node via, List<Destination> destinations, Collection<String> ids) {
    for (Destination destination : destinations) {
      List<String> logged = new ArrayList<>();
      String cursor = null;
      do {
        JsonNode page = getAdminJson(via, "/api/destinations/" + destination.id() + "/journal?status=delivered&limit=500"
            + (cursor == null ? "" : "&cursor=" + cursor));
        if (page == null) {
          return "the action log of " + destination.path() + " on " + via;
        }
        page.path("items").forEach(item -> logged.add(item.path("messageId").asText()));
        cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
      } while (cursor != null);
      Set<String> distinct = new HashSet<>(logged);
      assertEquals(distinct.size(), logged.size(), "an action listed twice in the action log of " + destination.path());
      Set<String> absent = new TreeSet<>(ids);
      absent.removeAll(distinct);
      if (!absent.isEmpty()) {
        return "the action log of " + destination.path() + " on " + via + " to list " + absent.size()
            + " more deliveries, e.g. " + absent.iterator().next();
      }
    }
    return null;
  }

  private JsonNode getAdminJson(Node via, String path) {
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create(via.api(path))).timeout(Duration.ofSeconds(10))
              .header("Authorization", "Bearer " + ADMIN_TOKEN).build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Membership and shards, from the management API

  /** Waits until every one of {@code expected} lists exactly {@code expected} as Up, none unreachable. */
  private void awaitMembers(List<Node> expected, Duration atMost) {
    Set<String> addresses = addressesOf(expected);
    awaitUntil(
        atMost,
        () -> {
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

  /** The members {@code node} lists as Up; a marker entry when it sees someone unreachable. */
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

  /** The non-seed node hosting the most of these destinations. */
  private Node busiestNonSeed(List<Destination> destinations) {
    Node busiest = null;
    for (Node node : nodes.subList(1, nodes.size())) {
      if (busiest == null || hostedBy(node, destinations).size() > hostedBy(busiest, destinations).size()) {
        busiest = node;
      }
    }
    return busiest;
  }

  /** Which of the destinations {@code node} hosts, from the shards its region reports. */
  private List<Destination> hostedBy(Node node, List<Destination> destinations) {
    Map<Node, Set<String>> shards = new LinkedHashMap<>();
    for (Node each : nodes) {
      JsonNode regions = getJson(each.management("/cluster/shards/Destination"));
      Set<String> ids = new HashSet<>();
      if (regions != null) {
        regions.path("regions").forEach(r -> ids.add(r.path("shardId").asText()));
      }
      shards.put(each, ids);
    }
    for (Destination destination : destinations) {
      String shard = shardOf(destination.id());
      assertTrue(shards.values().stream().anyMatch(s -> s.contains(shard)),
          "no node reports shard " + shard + " of " + destination.id() + " (number-of-shards " + NUMBER_OF_SHARDS
              + " as the nodes use it?): " + shards);
    }
    return destinations.stream().filter(d -> shards.get(node).contains(shardOf(d.id()))).toList();
  }

  private static String shardOf(String entityId) {
    return String.valueOf(Math.abs(entityId.hashCode() % NUMBER_OF_SHARDS));
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP and waiting

  private JsonNode expect(int status, Node via, String method, String path, JsonNode body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(via.api(path)))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + ADMIN_TOKEN)
            .header("Content-Type", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(status, response.statusCode(), method + " " + path + " on " + via + ": " + response.body());
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " on " + via + " failed: " + e + "; log: " + via.process().tail(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The JSON a GET answers with 200, or null (not answering, or another status). */
  private JsonNode getJson(String url) {
    try {
      HttpResponse<String> response =
          http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
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
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Polls {@code problem} (null once the awaited state holds, else a description of what is still
   * awaited) until it holds; fails after {@code atMost} with the last description and the nodes' logs.
   */
  private void awaitUntil(Duration atMost, Supplier<String> problem) {
    long deadline = System.nanoTime() + atMost.toNanos();
    String last = problem.get();
    while (last != null) {
      if (System.nanoTime() > deadline) {
        StringBuilder logsTail = new StringBuilder();
        nodes.forEach(n -> logsTail.append("\n--- ").append(n).append(":\n").append(n.process().tail()));
        throw new AssertionError("timed out after " + atMost + " waiting for " + last + logsTail);
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

  private void record(String what, Duration took) {
    timings.put(what, took);
    System.out.println("[cluster timing] " + what + ": " + took.toMillis() + " ms");
  }
}
