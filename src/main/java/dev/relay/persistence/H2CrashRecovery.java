package dev.relay.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.tx.Transaction;
import org.h2.mvstore.tx.TransactionStore;
import org.h2.mvstore.tx.VersionedValueType;
import org.h2.value.VersionedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes, before the node uses the embedded H2 file, what a SIGKILL left half done in it. H2
 * writes its store while transactions run, so after a kill the file can hold two things H2 2.5.252
 * does not clear up when it opens it:
 *
 * <ul>
 *   <li>a transaction killed while it committed (its undo log already marked committed): H2 reloads it
 *       and asks it to commit, but {@code Transaction.commit} does nothing for a transaction whose
 *       status is already COMMITTED, so it stays open for good, across restarts: its changes invisible
 *       and its rows locked, and whoever must write one of them times out on it at every try;
 *   <li>a change written without its undo-log entry (H2 collects the maps of a chunk one after another
 *       while transactions go on): no transaction owns it, yet H2 reads it as its own change to
 *       whichever live transaction gets the id it was written under, and as locked by that one to
 *       everyone else; a write waiting on it waits again for each new transaction with that id.
 * </ul>
 *
 * So after an unclean shutdown (the store header lacks H2's clean-shutdown mark) the node opens the
 * file alone, commits the changes of such committed transactions and empties their undo logs (which
 * is what H2 meant to do with them), rolls back each change no transaction owns (what H2 does with
 * one when it writes the row while no transaction has that id), and closes the file cleanly, all
 * before any pool opens it. Remove once H2 finishes committed leftover transactions and owner-less
 * changes on open itself (it did commit the former up to 2.3.232, without closing them).
 */
final class H2CrashRecovery {

  private static final Logger log = LoggerFactory.getLogger(H2CrashRecovery.class);
  /** H2's store header: its first line, at the start of each of the file's first two 4 KiB blocks. */
  private static final int HEADER_BLOCK = 4096;
  /** How H2 splits an operation id: the transaction id above its 40 bits of log id. */
  private static final int LOG_ID_BITS = 40;

  /** What the recovery did: changes committed, transactions finished, owner-less changes rolled back. */
  record Outcome(long committedChanges, int finishedTransactions, long rolledBackChanges) {
    static final Outcome NOTHING = new Outcome(0, 0, 0);
  }

  private H2CrashRecovery() {}

  /** Recovers the file {@code settings} names if H2 did not close it cleanly; nothing otherwise. */
  static Outcome afterUncleanShutdown(DatabaseSettings settings) {
    Path file = settings.h2File();
    if (!Files.exists(file) || closedCleanly(file)) {
      return Outcome.NOTHING;
    }
    try (Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      org.h2.engine.Database database =
          ((SessionLocal) connection.unwrap(JdbcConnection.class).getSession()).getDatabase();
      if (database.getSessions(false).length != 1) {
        // Someone in this process has it open already and may be running transactions: a change of
        // theirs is not a leftover. A node opens it here first, so only a misuse gets here.
        log.warn("The H2 database {} is already open in this process; not checking it for leftovers of a crash", file);
        return Outcome.NOTHING;
      }
      Outcome outcome = recover(database.getStore().getMvStore(), database.getStore().getTransactionStore());
      if (outcome.equals(Outcome.NOTHING)) {
        log.info("H2 was not closed cleanly; it holds no unfinished transaction or owner-less change");
      } else {
        log.warn(
            "H2 was not closed cleanly: committed {} changes of {} transactions killed while they committed, rolled back {} changes without a transaction",
            outcome.committedChanges(), outcome.finishedTransactions(), outcome.rolledBackChanges());
      }
      return outcome;
      // Closing the only connection closes the database, cleanly: the next open starts afresh.
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open the H2 database " + file + " to recover it: " + e.getMessage(), e);
    }
  }

  /** Whether every copy of the store header carries H2's mark of a clean shutdown ({@code clean:1}). */
  static boolean closedCleanly(Path file) {
    byte[] headers = new byte[2 * HEADER_BLOCK];
    int read;
    try (InputStream in = Files.newInputStream(file)) {
      read = in.readNBytes(headers, 0, headers.length);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the H2 file " + file, e);
    }
    if (read < headers.length) {
      return false;
    }
    for (int block = 0; block < 2; block++) {
      String header = new String(headers, block * HEADER_BLOCK, HEADER_BLOCK, StandardCharsets.ISO_8859_1);
      int end = header.indexOf('\n');
      List<String> fields = Arrays.asList((end < 0 ? header : header.substring(0, end)).split(","));
      if (!fields.contains("clean:1")) {
        return false;
      }
    }
    return true;
  }

  /**
   * Commits the changes of the transactions H2 left in status COMMITTED, rolls back those of no open
   * transaction, and empties the undo logs of the former, which would bring them back at the next
   * open. Only for a store nobody else is using: a change of a live transaction is no leftover.
   */
  static Outcome recover(MVStore store, TransactionStore transactions) {
    BitSet open = new BitSet();
    BitSet committed = new BitSet();
    for (Transaction transaction : transactions.getOpenTransactions()) {
      open.set(transaction.getId());
      if (transaction.getStatus() == Transaction.STATUS_COMMITTED) {
        committed.set(transaction.getId());
      }
    }
    long committedChanges = 0;
    long rolledBackChanges = 0;
    for (String name : store.getMapNames()) {
      MVMap<Object, Object> map = openMap(store, name);
      if (map == null || name.startsWith(TransactionStore.UNDO_LOG_NAME_PREFIX) || !(map.getValueType() instanceof VersionedValueType)) {
        continue;
      }
      for (Cursor<Object, Object> entries = map.cursor(null); entries.hasNext(); ) {
        Object key = entries.next();
        VersionedValue<?> value = (VersionedValue<?>) entries.getValue();
        if (value.getOperationId() == VersionedValue.NO_OPERATION_ID) {
          continue;
        }
        int owner = (int) (value.getOperationId() >>> LOG_ID_BITS);
        if (committed.get(owner)) {
          replace(map, key, value, value.getCurrentValue());
          committedChanges++;
        } else if (!open.get(owner)) {
          replace(map, key, value, value.getCommittedValue());
          rolledBackChanges++;
        }
      }
    }
    for (int id = committed.nextSetBit(0); id >= 0; id = committed.nextSetBit(id + 1)) {
      MVMap<Object, Object> undoLog = openMap(store, TransactionStore.UNDO_LOG_NAME_PREFIX + "." + id);
      if (undoLog != null) {
        undoLog.clear();
      }
    }
    store.commit();
    return new Outcome(committedChanges, committed.cardinality(), rolledBackChanges);
  }

  /** The map of that name as the open database has it; null if it has not opened it. */
  private static MVMap<Object, Object> openMap(MVStore store, String name) {
    String id = store.getMetaMap().get("name." + name);
    return id == null ? null : store.getMap(DataUtils.parseHexInt(id));
  }

  /**
   * Makes {@code value} (a committed value: H2's row and index values are their own committed
   * version) the entry of {@code key}, or removes the entry if it is null, unless the entry changed
   * since it was read.
   */
  private static void replace(MVMap<Object, Object> map, Object key, VersionedValue<?> leftover, Object value) {
    if (value != null && !(value instanceof VersionedValue<?> versioned && versioned.getOperationId() == VersionedValue.NO_OPERATION_ID)) {
      throw new IllegalStateException("unexpected value in H2 map " + map.getName() + ": " + value.getClass().getName());
    }
    map.operate(
        key,
        value,
        new MVMap.DecisionMaker<>() {
          @Override
          public MVMap.Decision decide(Object existing, Object provided) {
            if (existing != leftover) {
              return MVMap.Decision.ABORT;
            }
            return provided == null ? MVMap.Decision.REMOVE : MVMap.Decision.PUT;
          }
        });
  }
}
