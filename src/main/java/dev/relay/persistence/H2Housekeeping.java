package dev.relay.persistence;

import com.typesafe.config.Config;
import dev.relay.core.SettingRules;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the embedded H2 file's space back. H2 writes each store as a chunk into the space of dead
 * chunks where there is room, at the end of the file otherwise (see {@link H2StoreHeader} for what
 * that needs to survive a kill). But a chunk dies only when every page in it has been written again,
 * and under load a chunk's pages are superseded a few at a time: the file fills with chunks a
 * quarter to a third live, and dead ones left scattered through it when the load stops keep it
 * large. So the node compacts: dead chunks are dropped {@code retention-time} after they stop being
 * used (H2's guard against a power loss reordering writes; 45 s by default, which at Relay's write
 * rates is gigabytes), and every {@code interval}, when the chunks hold less than {@code
 * target-fill-rate} percent live data or less than {@code shrink-below-fill-rate} percent of the
 * file is in use, it compacts for at most {@code compact-max-time}: live pages rewritten out of
 * sparse chunks, chunks moved down into the holes, the file truncated. It does so under the store's
 * lock, so it is not starved: H2's own compaction only tries the lock briefly and, with commits
 * arriving every few milliseconds, never gets it; each commit waits for the round instead. H2 has
 * no SQL for any of this, hence its store API, and its lock by reflection.
 */
public final class H2Housekeeping {

  private static final Logger log = LoggerFactory.getLogger(H2Housekeeping.class);

  /** The relay.db.h2-housekeeping configuration; a value out of range stops the node naming its key. */
  public record Settings(
      Duration interval, Duration retentionTime, int targetFillRate, int shrinkBelowFillRate, Duration compactMaxTime) {

    private static final String KEY = "relay.db.h2-housekeeping.";

    public Settings {
      SettingRules.positive(KEY + "interval", interval);
      SettingRules.notNegative(KEY + "retention-time", retentionTime);
      SettingRules.between(KEY + "target-fill-rate", targetFillRate, 0, 100);
      SettingRules.between(KEY + "shrink-below-fill-rate", shrinkBelowFillRate, 0, 100);
      SettingRules.positive(KEY + "compact-max-time", compactMaxTime);
      // H2 takes both as int milliseconds.
      SettingRules.between(KEY + "retention-time", retentionTime.toMillis(), 0, Integer.MAX_VALUE);
      SettingRules.between(KEY + "compact-max-time", compactMaxTime.toMillis(), 1, Integer.MAX_VALUE);
    }

    public static Settings from(Config config) {
      Config housekeeping = config.getConfig("relay.db.h2-housekeeping");
      return new Settings(
          housekeeping.getDuration("interval"),
          housekeeping.getDuration("retention-time"),
          housekeeping.getInt("target-fill-rate"),
          housekeeping.getInt("shrink-below-fill-rate"),
          housekeeping.getDuration("compact-max-time"));
    }
  }

  private final MVStore store;
  private final ReentrantLock storeLock;
  private final int targetFillRate;
  private final int shrinkBelowFillRate;
  private final int compactMaxMillis;
  private final int retentionMillis;
  private final AtomicBoolean running = new AtomicBoolean();

  H2Housekeeping(MVStore store, Settings settings) {
    this.store = store;
    this.storeLock = storeLock(store);
    this.targetFillRate = settings.targetFillRate();
    this.shrinkBelowFillRate = settings.shrinkBelowFillRate();
    this.compactMaxMillis = (int) settings.compactMaxTime().toMillis();
    this.retentionMillis = (int) settings.retentionTime().toMillis();
    store.getFileStore().setRetentionTime(retentionMillis);
  }

  /** Starts the housekeeping of the open H2 database's {@code store}; stops with the system. */
  public static Cancellable start(ActorSystem<?> system, MVStore store, Settings settings) {
    H2Housekeeping housekeeping = new H2Housekeeping(store, settings);
    Duration interval = settings.interval();
    return system.scheduler()
        .scheduleWithFixedDelay(
            interval, interval, housekeeping::run, system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  /** The store of the open database {@code connection} is a session of, shared by all its sessions. */
  static MVStore mvStore(Connection connection) throws SQLException {
    return ((SessionLocal) connection.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore().getMvStore();
  }

  /** One round: compacts if the file is sparse enough; at most one round runs at a time. */
  void run() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    try {
      if (store.isClosed()) {
        return;
      }
      FileStore<?> file = store.getFileStore();
      if (file.getChunksFillRate() < targetFillRate || file.getFillRate() < shrinkBelowFillRate) {
        compact();
      }
    } catch (RuntimeException e) {
      log.warn("H2 housekeeping failed (the file may grow until it succeeds): {}", e.getMessage());
    } finally {
      running.set(false);
    }
  }

  private void compact() {
    storeLock.lock();
    try {
      store.compactFile(compactMaxMillis);
    } finally {
      store.getFileStore().setRetentionTime(retentionMillis); // compactFile sets it to 0 for good
      storeLock.unlock();
    }
    // What the compaction rewrote is stored now, as any commit, so the chunks it emptied
    // can go at the next round rather than after H2's next background store.
    store.commit();
  }

  /**
   * The lock H2 takes to write its store ({@code MVStore.storeLock}, reentrant: compactFile takes it
   * again). A node that cannot reach it refuses to start rather than leave its file to grow.
   */
  private static ReentrantLock storeLock(MVStore store) {
    try {
      Field field = MVStore.class.getDeclaredField("storeLock");
      field.setAccessible(true);
      return (ReentrantLock) field.get(store);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("this H2 version has no MVStore.storeLock to compact under: " + e, e);
    }
  }
}
