package dev.relay.persistence;

import com.typesafe.config.Config;
import dev.relay.core.SettingRules;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded H2 file close to the size of its data. H2 appends every commit to its file as
 * a new chunk (the changed pages and every page above them); a chunk's space is reused once none of
 * its pages is live any more and {@code retention-time} has passed (H2's guard against a power loss
 * reordering writes; its 45 s default is gigabytes at Relay's write rates). Most chunks keep a few
 * live pages for long, so space comes back only if those pages are rewritten elsewhere. H2's own
 * background thread for that does not run with {@code WRITE_DELAY=0} (which Relay needs so that a
 * commit is on disk before it returns), so the node does it, in bounded steps so that commits are
 * never held up for long:
 *
 * <ul>
 *   <li>while the chunks hold less than {@code target-fill-rate} percent live data, each run
 *       rewrites at most {@code rewrite-per-run} of live pages out of the sparsest chunks (the next
 *       commit writes them);
 *   <li>while less than {@code shrink-below-fill-rate} percent of the file is in use, each run moves
 *       at most {@code move-per-run} of chunks from the end of the file into its holes and truncates
 *       the file;
 *   <li>when nothing was committed since the last run, both go on to {@code idle-fill-rate} (and a
 *       rewrite to {@code move-per-run}), so a node that is quiet, or whose old data retention
 *       deleted, gives the space back.
 * </ul>
 *
 * <p>H2 has no SQL for any of this, hence its store API. (H2's {@code MVStore.compactFile}, which
 * this class used before, rewrites and moves at least 16 MB each call whatever its time limit: the
 * store was held for seconds at a time under load.)
 */
public final class H2Housekeeping {

  private static final Logger log = LoggerFactory.getLogger(H2Housekeeping.class);

  /** The relay.db.h2-housekeeping configuration; a value out of range stops the node naming its key. */
  public record Settings(
      Duration interval,
      Duration retentionTime,
      int targetFillRate,
      long rewritePerRun,
      int shrinkBelowFillRate,
      long movePerRun,
      int idleFillRate) {

    private static final String KEY = "relay.db.h2-housekeeping.";

    public Settings {
      SettingRules.positive(KEY + "interval", interval);
      SettingRules.notNegative(KEY + "retention-time", retentionTime);
      // H2 takes it as int milliseconds.
      SettingRules.between(KEY + "retention-time", retentionTime.toMillis(), 0, Integer.MAX_VALUE);
      SettingRules.between(KEY + "target-fill-rate", targetFillRate, 0, 100);
      // H2 takes it as an int number of bytes.
      SettingRules.between(KEY + "rewrite-per-run", rewritePerRun, 1, Integer.MAX_VALUE);
      SettingRules.between(KEY + "shrink-below-fill-rate", shrinkBelowFillRate, 0, 100);
      SettingRules.atLeast(KEY + "move-per-run", movePerRun, 1);
      SettingRules.between(KEY + "idle-fill-rate", idleFillRate, 0, 100);
    }

    public static Settings from(Config config) {
      Config housekeeping = config.getConfig("relay.db.h2-housekeeping");
      return new Settings(
          housekeeping.getDuration("interval"),
          housekeeping.getDuration("retention-time"),
          housekeeping.getInt("target-fill-rate"),
          housekeeping.getBytes("rewrite-per-run"),
          housekeeping.getInt("shrink-below-fill-rate"),
          housekeeping.getBytes("move-per-run"),
          housekeeping.getInt("idle-fill-rate"));
    }
  }

  private static final long IDLE_WITHOUT_GAIN_NANOS = Duration.ofSeconds(10).toNanos();

  private final MVStore store;
  private final Settings settings;
  private final AtomicBoolean running = new AtomicBoolean();
  private long versionAfterLastRun = -1;
  // When the file last shrank or its chunks last filled up while idle: 10 s on, idle rounds stop
  // (until the next commit) rather than rewrite the same pages again and again.
  private long idleGainAt;
  private long idleBestSize = Long.MAX_VALUE;
  private int idleBestChunksFill = -1;
  private long lastIdleRewrite = System.nanoTime();

  H2Housekeeping(MVStore store, Settings settings) {
    this.store = store;
    this.settings = settings;
    store.getFileStore().setRetentionTime((int) settings.retentionTime().toMillis());
  }

  /** Starts the housekeeping of the H2 database behind {@code dataSource}; stops with the system. */
  public static Cancellable start(ActorSystem<?> system, DataSource dataSource, Settings settings) {
    MVStore store;
    try (Connection connection = dataSource.getConnection()) {
      store = storeOf(connection);
      connection.rollback();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot reach the H2 store for housekeeping: " + e.getMessage(), e);
    }
    H2Housekeeping housekeeping = new H2Housekeeping(store, settings);
    Duration interval = settings.interval();
    return system.scheduler()
        .scheduleWithFixedDelay(
            interval, interval, housekeeping::run, system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  /** The store of the open H2 database behind {@code connection}: it outlives the connection, shared by every session. */
  static MVStore storeOf(Connection connection) throws SQLException {
    return ((SessionLocal) connection.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore().getMvStore();
  }

  /** One round: rewrite, move and truncate as far as the settings allow. */
  void run() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    try {
      if (store.isClosed()) {
        return;
      }
      FileStore<?> file = store.getFileStore();
      boolean quiet = store.getCurrentVersion() == versionAfterLastRun;
      if (!quiet) {
        idleGainAt = System.nanoTime();
        idleBestSize = Long.MAX_VALUE;
        idleBestChunksFill = -1;
      }
      boolean idle = quiet && idleGains(file);
      int chunksTarget = idle ? Math.max(settings.targetFillRate(), settings.idleFillRate()) : settings.targetFillRate();
      // The chunks' fill rate counts chunks kept for their retention time as empty: when idle,
      // rewrite again only once those of the last rewrite are gone, or it rewrites in circles.
      boolean rewrite =
          !idle || System.nanoTime() - lastIdleRewrite > settings.retentionTime().toNanos() + settings.interval().toNanos();
      // H2 passes over a chunk whose live pages alone exceed the limit: when idle, a larger one
      // reaches those too.
      long rewriteLimit = idle ? Math.max(settings.rewritePerRun(), settings.movePerRun()) : settings.rewritePerRun();
      if (rewrite
          && file.getChunksFillRate() < chunksTarget
          && store.compact(chunksTarget, (int) Math.min(rewriteLimit, Integer.MAX_VALUE))
          && idle) {
        store.commit(); // under load the next commit writes the rewritten pages
        lastIdleRewrite = System.nanoTime();
      }
      int fileTarget = idle ? Math.max(settings.shrinkBelowFillRate(), settings.idleFillRate()) : settings.shrinkBelowFillRate();
      if (file.getFillRate() < fileTarget && file instanceof RandomAccessStore randomAccess) {
        // Frees the chunks past their retention, moves chunks from the end into the holes and
        // truncates the file, under the store's lock.
        randomAccess.compactMoveChunks(100, settings.movePerRun(), store);
      }
      versionAfterLastRun = store.getCurrentVersion();
    } catch (RuntimeException e) {
      log.warn("H2 housekeeping failed (the file may grow until it succeeds): {}", e.getMessage());
    } finally {
      running.set(false);
    }
  }

  private boolean idleGains(FileStore<?> file) {
    long size = file.size();
    int chunksFill = file.getChunksFillRate();
    // A gain is the file a hundredth smaller or its chunks a point fuller than ever in this quiet spell.
    if (size < idleBestSize - idleBestSize / 100 || chunksFill > idleBestChunksFill) {
      idleBestSize = Math.min(size, idleBestSize);
      idleBestChunksFill = Math.max(chunksFill, idleBestChunksFill);
      idleGainAt = System.nanoTime();
    }
    return System.nanoTime() - idleGainAt <= IDLE_WITHOUT_GAIN_NANOS;
  }
}
