package dev.relay.persistence;

import com.typesafe.config.ConfigFactory;
import dev.relay.RelayConfig;
import dev.relay.RelaySettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A process that commits to an H2 database opened exactly as a node opens it (its URL, its crash
 * recovery and its housekeeping) until it is killed, from several connections at once, in the pattern of a node's writes:
 * journal-like rows appended, side-table rows inserted and deleted, counters updated. After each
 * commit it waits, as the node does before it acknowledges anything, for the group commit ({@link
 * H2Flush}), then prints the rows the commit acknowledged ({@code first count}), so whoever kills it
 * knows what must have survived. Run by {@link H2KillDurabilityIT}.
 */
public final class H2CommitWriter {

  private static final int WRITERS = 6;
  private static final String PAYLOAD = "x".repeat(600);

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    DatabaseSettings settings = settings(dataDir);
    Connection held = H2CrashRecovery.openRecovered(settings);
    try (Statement ddl = held.createStatement()) {
      ddl.execute("create table if not exists journal(id bigint primary key, writer int, payload varchar(1000))");
      ddl.execute("create table if not exists pending(id bigint primary key, due bigint)");
      ddl.execute("create table if not exists counters(k int primary key, v bigint)");
    }
    held.commit();
    // The node's compaction too, on its schedule: it moves chunks while the writers wait.
    H2Housekeeping housekeeping = new H2Housekeeping(H2Housekeeping.mvStore(held), settings.h2Housekeeping());
    long interval = settings.h2Housekeeping().interval().toMillis();
    Executors.newSingleThreadScheduledExecutor()
        .scheduleWithFixedDelay(housekeeping::run, interval, interval, TimeUnit.MILLISECONDS);
    H2Flush flush = new H2Flush(H2Housekeeping.mvStore(held));
    AtomicLong ids = new AtomicLong(System.currentTimeMillis() * 1000);
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      new Thread(() -> write(settings, flush, writer, ids), "writer-" + w).start();
    }
  }

  /** The settings a node with {@code dataDir} as its data dir would open H2 with. */
  static DatabaseSettings settings(Path dataDir) {
    return RelaySettings.from(RelayConfig.load(ConfigFactory.parseMap(Map.of("relay.data-dir", dataDir.toString())))).database();
  }

  private static void write(DatabaseSettings settings, H2Flush flush, int writer, AtomicLong ids) {
    try (Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      connection.setAutoCommit(false);
      PreparedStatement journal = connection.prepareStatement("insert into journal values (?, ?, ?)");
      PreparedStatement pending = connection.prepareStatement("insert into pending values (?, ?)");
      PreparedStatement done = connection.prepareStatement("delete from pending where id = ?");
      PreparedStatement counter =
          connection.prepareStatement("merge into counters key(k) values (?, coalesce((select v from counters where k = ?), 0) + 1)");
      long previous = -1;
      for (int round = 0; ; round++) {
        int count = 1 + round % 20;
        long first = ids.getAndAdd(count);
        for (long id = first; id < first + count; id++) {
          journal.setLong(1, id);
          journal.setInt(2, writer);
          journal.setString(3, PAYLOAD);
          journal.addBatch();
          pending.setLong(1, id);
          pending.setLong(2, id);
          pending.addBatch();
        }
        journal.executeBatch();
        pending.executeBatch();
        if (previous >= 0) {
          done.setLong(1, previous);
          done.executeUpdate();
        }
        counter.setInt(1, writer % 3);
        counter.setInt(2, writer % 3);
        counter.executeUpdate();
        connection.commit();
        flush.flushed().toCompletableFuture().join();
        previous = first;
        synchronized (System.out) {
          System.out.println(first + " " + count);
          System.out.flush();
        }
      }
    } catch (SQLException e) {
      e.printStackTrace();
      System.exit(1);
    }
  }
}
