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
 * So the node opens the file alone before any pool does and, after an unclean shutdown (the store
 * header lacks H2's clean-shutdown mark) or if a transaction is left committing (which survives clean
 * shutdowns), commits the changes of such transactions and empties their undo logs (what H2 meant to
 * do with them), rolls back each change no transaction owns (what H2 does with one when it writes the
 * row while no transaction has that id), closes the file cleanly and opens it again. That reads the
 * whole file; a clean start only opens it, and keeps it open for the pools.
 * Remove once H2 finishes committed leftover transactions and owner-less changes on open itself: up
 * to 2.3.232 it committed the former (without closing them); its commit 0c91e70 ("minor code
 * deduplication", December 2025) made {@code commit} skip them. No upstream issue is filed yet.
 */
final class H2CrashRecovery {

  private static final Logger log = LoggerFactory.getLogger(H2CrashRecovery.class);
  /** How H2 splits an operation id: the transaction id above its 40 bits of log id. */
  private static final int LOG_ID_BITS = 40;

  /** What the recovery did: changes committed, transactions finished, owner-less changes rolled back. */
  record Outcome(long committedChanges, int finishedTransactions, long rolledBackChanges) {
    static final Outcome NOTHING = new Outcome(0, 0, 0);
  }

  private H2CrashRecovery() {}

  /**
   * Opens the H2 database {@code settings} names, first thing in the process, and recovers it when H2
   * did not close it cleanly or it holds a transaction left committing (a kill under an earlier
   * Relay, closed cleanly since: nothing else ever finishes one). The connection returned keeps the
   * database open, so the pools that connect next do not open it again.
   */
  static Connection openRecovered(DatabaseSettings settings) {
    Path file = settings.h2File();
    boolean clean = !Files.exists(file) || closedCleanly(file);
    Connection connection = connect(settings);
    try {
      org.h2.engine.Database database = session(connection).getDatabase();
      if (database.getSessions(false).length != 1) {
        // Someone in this process has it open already and may be running transactions: a change of
        // theirs is not a leftover. A node opens it here first, so only a misuse gets here.
        log.warn("The H2 database {} is already open in this process; not checking it for leftovers of a crash", file);
        return connection;
      }
      TransactionStore transactions = database.getStore().getTransactionStore();
      if (clean && committing(transactions).isEmpty()) {
        return connection;
      }
      long start = System.nanoTime();
      Outcome outcome = recover(database.getStore().getMvStore(), transactions);
      long millis = (System.nanoTime() - start) / 1_000_000;
      if (outcome.equals(Outcome.NOTHING)) {
        log.info("H2 was not closed cleanly; it holds no transaction left committing and no change without one (checked in {} ms)", millis);
      } else {
        log.warn(
            "H2 {}: committed {} changes of {} transactions killed while they committed, rolled back {} changes without a transaction ({} ms)",
            clean ? "held leftovers of an earlier crash" : "was not closed cleanly",
            outcome.committedChanges(), outcome.finishedTransactions(), outcome.rolledBackChanges(), millis);
      }
      // Closing the only connection closes the database cleanly, and with it the transactions H2
      // left committing; they do not come back, their undo logs being empty.
      connection.close();
      return connect(settings);
    } catch (SQLException | RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IllegalStateException("cannot recover the H2 database " + file + ": " + e.getMessage(), e);
    }
  }

  private static Connection connect(DatabaseSettings settings) {
    try {
      return DriverManager.getConnection(settings.url(), settings.user(), settings.password());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open the H2 database " + settings.h2File() + ": " + e.getMessage(), e);
    }
  }

  private static SessionLocal session(Connection connection) throws SQLException {
    return (SessionLocal) connection.unwrap(JdbcConnection.class).getSession();
  }

  /**
   * Whether every copy of the store header (its first line, at the start of each of the file's first
   * two blocks) carries H2's mark of a clean shutdown ({@code clean:1}).
   */
  static boolean closedCleanly(Path file) {
    byte[] headers = new byte[2 * H2StoreHeader.BLOCK_SIZE];
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
      String header = new String(headers, block * H2StoreHeader.BLOCK_SIZE, H2StoreHeader.BLOCK_SIZE, StandardCharsets.ISO_8859_1);
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
   * open. Only for a store nobody else is using: a change of a live transaction is no leftover. Reads
   * every table and index.
   */
  static Outcome recover(MVStore store, TransactionStore transactions) {
    BitSet open = new BitSet();
    for (Transaction transaction : transactions.getOpenTransactions()) {
      open.set(transaction.getId());
    }
    BitSet committed = committing(transactions);
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

  /** The ids of the transactions H2 reloaded as committed and left open. */
  private static BitSet committing(TransactionStore transactions) {
    BitSet committing = new BitSet();
    for (Transaction transaction : transactions.getOpenTransactions()) {
      if (transaction.getStatus() == Transaction.STATUS_COMMITTED) {
        committing.set(transaction.getId());
      }
    }
    return committing;
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
