package dev.relay;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.relay.testing.PostgresDatabase;
import dev.relay.testing.ProcessClient;
import dev.relay.testing.RelayProcess;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TcpProxy;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL going away, with a real node process and a real PostgreSQL behind a TCP proxy the test
 * stops and starts: a node started while the database is away is alive but not ready, and becomes
 * ready by itself when the database is back; a 15 s outage under load loses nothing acknowledged.
 */
class DatabaseOutageIT {

  private static final String TOKEN = "database-outage-admin-token-0123456789";

  @TempDir Path work;

  @Test
  void aNodeStartedWhileTheDatabaseIsAwayBecomesReadyWhenItIsBack() throws Exception {
    int[] ports = RelayProcess.freePorts(4);
    try (PostgresDatabase database = PostgresDatabase.create();
        TcpProxy proxy = new TcpProxy(ports[3], "127.0.0.1", 5432);
        StandInDestination standIn = StandInDestination.start();
        RelayProcess node = RelayProcess.start(RelayProcess.jar(), env(database, proxy), ports, work.resolve("node.log"))) {
      ProcessClient client = new ProcessClient(node, TOKEN);
      await(Duration.ofSeconds(30), "the node is alive", () -> client.management("/alive") == 200);
      long notReadyUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < notReadyUntil) {
        assertNotEquals(200, client.management("/ready"), "ready without its database");
        Thread.sleep(200);
      }

      proxy.start();
      node.awaitReady(Duration.ofSeconds(60));
      String writeKey = client.wireWebhook(standIn.url("/hook"), "\"batchSize\":10").writeKey();
      HttpResponse<String> tracked =
          client.ingest("batch", writeKey, "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Back\",\"messageId\":\"o-1\"}]}");
      assertEquals(200, tracked.statusCode(), tracked.body());
      await(Duration.ofSeconds(30), "the event is delivered", () -> standIn.acceptedMessageIds().contains("o-1"));
    }
  }

  @Test
  void aFifteenSecondOutageUnderLoadLosesNothingAcknowledged() throws Exception {
    int[] ports = RelayProcess.freePorts(4);
    try (PostgresDatabase database = PostgresDatabase.create();
        TcpProxy proxy = new TcpProxy(ports[3], "127.0.0.1", 5432);
        StandInDestination standIn = StandInDestination.start()) {
      proxy.start();
      try (RelayProcess node = RelayProcess.start(RelayProcess.jar(), env(database, proxy), ports, work.resolve("node.log"))) {
        node.awaitReady(Duration.ofSeconds(60));
        ProcessClient client = new ProcessClient(node, TOKEN);
        String writeKey = client.wireWebhook(standIn.url("/hook"), "\"batchSize\":10").writeKey();

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicLong refused = new AtomicLong();
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicLong sequence = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
          Thread sender = new Thread(() -> send(client, writeKey, sending, sequence, acknowledged, refused));
          clients.add(sender);
          sender.start();
        }
        await(Duration.ofSeconds(30), "load under way", () -> acknowledged.size() >= 300);
        proxy.stop();
        Thread.sleep(15_000); // the outage itself: its length is the point
        proxy.start();
        long before = acknowledged.size();
        await(Duration.ofSeconds(60), "ingest acknowledges again", () -> acknowledged.size() >= before + 300);
        sending.set(false);
        for (Thread sender : clients) {
          sender.join(60_000);
        }
        System.out.println("outage: " + acknowledged.size() + " events acknowledged, " + refused.get() + " requests refused and retried");
        await(Duration.ofSeconds(120), "every acknowledged event delivered", () -> standIn.acceptedMessageIds().containsAll(acknowledged));
        assertEquals(Set.of(), missing(acknowledged, standIn.acceptedMessageIds()));
      }
    }
  }

  /** A client as an SDK is: a batch is sent again, with the same messageIds, until it is acknowledged. */
  private void send(
      ProcessClient client, String writeKey, AtomicBoolean sending, AtomicLong sequence, Set<String> acknowledged, AtomicLong refused) {
    while (sending.get()) {
      long first = sequence.getAndAdd(10);
      List<String> ids = new ArrayList<>();
      StringBuilder body = new StringBuilder("{\"batch\":[");
      for (long i = first; i < first + 10; i++) {
        ids.add("o-" + i);
        body.append(i == first ? "" : ",")
            .append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Outage\",\"messageId\":\"o-").append(i).append("\"}");
      }
      body.append("]}");
      for (int attempt = 0; attempt < 200; attempt++) {
        try {
          if (client.ingest("batch", writeKey, body.toString()).statusCode() == 200) {
            acknowledged.addAll(ids);
            break;
          }
        } catch (IOException | InterruptedException e) {
          // no answer: the same batch again, as an SDK would
        }
        refused.incrementAndGet();
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private static Set<String> missing(Set<String> acknowledged, Set<String> delivered) {
    Set<String> missing = new TreeSet<>(acknowledged);
    missing.removeAll(delivered);
    return missing;
  }

  private static Map<String, String> env(PostgresDatabase database, TcpProxy proxy) {
    return Map.of(
        "RELAY_DB_URL", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + database.name(),
        "RELAY_DB_USER", PostgresDatabase.USER,
        "RELAY_ADMIN_TOKEN", TOKEN,
        "RELAY_ALLOWED_NETWORKS", "127.0.0.0/8");
  }
}
