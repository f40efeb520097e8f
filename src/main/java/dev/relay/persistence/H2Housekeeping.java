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
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the embedded H2 file's space back. H2 writes each store as a chunk into the space of dead
 * chunks where there is room, at the end of the file otherwise (see {@link H2StoreHeader} for what
 * that needs to survive a kill). But a chunk dies only when every page in it has been written again,
 * and under load a chunk's pages are superseded a few at a time: the file fills with chunks a
 * quarter to a third live, and dead ones left scattered through it when the load stops keep it
 * large. So the node compacts, every {@code interval}: dead chunks are dropped {@code retention-time}
 * after they stop being used (H2's guard against a power loss reordering writes; 45 s by default,
 * which at Relay's write rates is gigabytes); when the chunks hold less than {@code target-fill-rate}
 * percent live data, the live pages of the chunks H2 ranks first (little live data, old), up to {@code
 * rewrite-per-run} bytes of them, are written again into a new chunk, which leaves those chunks dead;
 * and when less than {@code shrink-below-fill-rate} percent of the file is in use, up to {@code
 * move-per-run} bytes of chunks are moved down into the holes and the file cut after the last (H2
 * skips a chunk larger than either step, so {@code move-per-run} is larger than the chunks the rewrite
 * writes). H2 would compact by itself too, but it sizes each step by its store buffer ({@code
 * relay.db.h2-store-buffer}: a 64 MiB rewrite or a 512 MiB move under load, four times that when
 * idle), and after a load its steps grew the file by a quarter in a minute (bench/README,
 * EmbeddedDiskUsage); so the node turns it off ({@code AUTO_COMPACT_FILL_RATE=0}, see {@code
 * RelayConfig}) and takes smaller steps of its own. It takes them under the store's lock,
 * so they are not starved (H2's own only tries the lock briefly and, with commits arriving every few
 * milliseconds, rarely gets it); each commit waits for the round instead. H2 has no SQL for any of
 * this, hence its store API, and its lock by reflection.
 */
public final class H2Housekeeping {

  private static final Logger log = LoggerFactory.getLogger(H2Housekeeping.class);

  /** The relay.db.h2-housekeeping configuration; a value out of range stops the node naming its key. */
  public record Settings(
      Duration interval,
      Duration retentionTime,
      int targetFillRate,
      int shrinkBelowFillRate,
      long rewritePerRun,
      long movePerRun) {

    private static final String KEY = "relay.db.h2-housekeeping.";

    public Settings {
      SettingRules.positive(KEY + "interval", interval);
      SettingRules.notNegative(KEY + "retention-time", retentionTime);
      SettingRules.between(KEY + "target-fill-rate", targetFillRate, 0, 100);
      SettingRules.between(KEY + "shrink-below-fill-rate", shrinkBelowFillRate, 0, 100);
      // H2 takes the retention as int milliseconds, and what it rewrites at once as an int of bytes.
      SettingRules.between(KEY + "retention-time", retentionTime.toMillis(), 0, Integer.MAX_VALUE);
      SettingRules.between(KEY + "rewrite-per-run", rewritePerRun, 1, Integer.MAX_VALUE);
      SettingRules.between(KEY + "move-per-run", movePerRun, 1, Long.MAX_VALUE);
    }

    public static Settings from(Config config) {
      Config housekeeping = config.getConfig("relay.db.h2-housekeeping");
      return new Settings(
          housekeeping.getDuration("interval"),
          housekeeping.getDuration("retention-time"),
          housekeeping.getInt("target-fill-rate"),
          housekeeping.getInt("shrink-below-fill-rate"),
          housekeeping.getBytes("rewrite-per-run"),
          housekeeping.getBytes("move-per-run"));
    }
  }

  private final MVStore store;
  private final RandomAccessStore file;
  private final ReentrantLock storeLock;
  private final Settings settings;
  private final AtomicBoolean running = new AtomicBoolean();

  H2Housekeeping(MVStore store, Settings settings) {
    this.store = store;
    this.file = (RandomAccessStore) store.getFileStore();
    this.storeLock = storeLock(store);
    this.settings = settings;
    file.setRetentionTime((int) settings.retentionTime().toMillis());
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

  /**
   * One round: rewrites live pages out of the sparsest chunks if the chunks are sparse, moves chunks
   * down and cuts the file if it is sparse; at most one round runs at a time.
   */
  void run() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    storeLock.lock();
    try {
      if (store.isClosed()) {
        return;
      }
      // Chunks dead for the retention time are free space from here (H2 frees them only as it stores).
      file.dropUnusedChunks();
      // Marks the live pages of the chunks with the least live data, up to rewrite-per-run of them,
      // as changed; the commit writes them into a new chunk, and the old ones are dead.
      if (file.getChunksFillRate() < settings.targetFillRate()
          && store.compact(settings.targetFillRate(), (int) settings.rewritePerRun())) {
        store.commit();
      }
      if (file.getFillRate() < settings.shrinkBelowFillRate()) {
        file.compactMoveChunks(settings.shrinkBelowFillRate(), settings.movePerRun(), store);
      }
    } catch (RuntimeException e) {
      log.warn("H2 housekeeping failed (the file may grow until it succeeds): {}", e.getMessage());
    } finally {
      storeLock.unlock();
      running.set(false);
    }
  }

  /**
   * The lock H2 takes to write its store ({@code MVStore.storeLock}, reentrant: the rewrite, the
   * commit and the move take it again). A node that cannot reach it refuses to start rather than leave its file to grow.
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
