package dev.relay.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.tx.Transaction;
import org.h2.mvstore.tx.TransactionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed with SIGKILL leaves in the H2 file a transaction that was committing and a change
 * without its undo-log entry (see {@link H2CrashRecovery}); the node opening the file afterwards
 * sees the first committed and the second rolled back, with no row locked and no transaction left
 * open, whatever transaction ids its own transactions get.
 */
class H2CrashRecoveryTest {

  @TempDir Path dataDir;

  @Test
  @Timeout(60)
  void aTransactionKilledWhileCommittingIsCommittedAndAChangeWithoutUndoLogIsRolledBack() throws Exception {
    DatabaseSettings settings = settings();
    int highestId = killedWithLeftovers(settings.url());
    assertFalse(H2CrashRecovery.closedCleanly(settings.h2File()), "the kill left the file marked clean");

    try (Database database = Database.open(settings)) {
      // Transactions holding every id the killed process used: a leftover change still bearing one
      // of them would read as that transaction's own, and as locked by it to everyone else.
      List<Connection> holders = new ArrayList<>();
      try {
        for (int i = 0; i < highestId; i++) {
          Connection holder = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
          holders.add(holder);
          holder.setAutoCommit(false);
          holder.createStatement().executeUpdate("INSERT INTO held VALUES (" + i + ")");
        }
        Map<Integer, String> expected = Map.of(1, "committed", 2, "committed", 3, "before");
        for (Connection holder : holders) {
          assertEquals(expected, rows(holder), "rows read by transaction " + transaction(holder).getId());
        }
        try (Connection writer = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
            Statement statement = writer.createStatement()) {
          statement.execute("SET LOCK_TIMEOUT 1000");
          assertEquals(3, statement.executeUpdate("UPDATE t SET v = 'after'"), "rows updated");
          assertEquals(1, statement.executeUpdate("INSERT INTO t VALUES (4, 'after')"), "rows inserted");
        }
        assertEquals(List.of(), committing(transactions(holders.get(0))), "transactions left committing");
      } finally {
        for (Connection holder : holders) {
          holder.close();
        }
      }
    }
    assertTrue(H2CrashRecovery.closedCleanly(settings.h2File()), "the database closed cleanly with the node's pool");
  }

  @Test
  @Timeout(60)
  void aTransactionLeftCommittingIsCommittedEvenAfterH2ClosedTheFileCleanly() throws Exception {
    DatabaseSettings settings = settings();
    killedWithLeftovers(settings.url());
    // Opened and closed by H2 alone, as by a Relay without the recovery: the transaction is still
    // left committing, and the file now says it was closed cleanly.
    try (Connection h2Alone = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      Map<Integer, String> rows = rows(h2Alone);
      assertEquals("before", rows.get(1), "row 1 read right after H2 opened the file");
      assertFalse(rows.containsKey(2), "row 2 read right after H2 opened the file");
      assertEquals(1, committing(transactions(h2Alone)).size(), "transactions H2 left committing");
    }
    assertTrue(H2CrashRecovery.closedCleanly(settings.h2File()), "H2 closed the file cleanly");

    try (Database database = Database.open(settings);
        Connection connection = database.dataSource().getConnection()) {
      assertEquals(Map.of(1, "committed", 2, "committed", 3, "before"), rows(connection));
      assertEquals(List.of(), committing(transactions(connection)), "transactions left committing");
      connection.rollback();
    }
  }

  /** The node's database settings on {@link #dataDir}. */
  private DatabaseSettings settings() {
    return H2CommitWriter.settings(dataDir);
  }

  /** Runs {@link KilledWithLeftovers} until it has left its changes, SIGKILLs it; its highest transaction id. */
  private static int killedWithLeftovers(String url) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), KilledWithLeftovers.class.getName(), url)
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      StringBuilder log = new StringBuilder();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("leftovers written; highest transaction id ")) {
          int highest = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
          child.destroyForcibly(); // SIGKILL
          assertTrue(child.waitFor(10, TimeUnit.SECONDS), "child killed");
          return highest;
        }
        log.append(line).append('\n');
      }
      throw new AssertionError("the child ended before writing its leftovers: " + log);
    } finally {
      child.destroyForcibly();
    }
  }

  private static Map<Integer, String> rows(Connection connection) throws SQLException {
    Map<Integer, String> rows = new LinkedHashMap<>();
    try (ResultSet result = connection.createStatement().executeQuery("SELECT id, v FROM t ORDER BY id")) {
      while (result.next()) {
        rows.put(result.getInt(1), result.getString(2));
      }
    }
    return rows;
  }

  /** The ids of the open transactions whose status is COMMITTED: only H2's reloading leaves one so. */
  private static List<Integer> committing(TransactionStore transactions) {
    return transactions.getOpenTransactions().stream()
        .filter(t -> t.getStatus() == Transaction.STATUS_COMMITTED)
        .map(Transaction::getId)
        .toList();
  }

  private static Transaction transaction(Connection connection) throws SQLException {
    Transaction transaction = session(connection).getTransaction();
    assertNotNull(transaction, "no transaction open");
    return transaction;
  }

  private static TransactionStore transactions(Connection connection) throws SQLException {
    return session(connection).getDatabase().getStore().getTransactionStore();
  }

  private static SessionLocal session(Connection connection) throws SQLException {
    return (SessionLocal) connection.unwrap(JdbcConnection.class).getSession();
  }

  /**
   * Leaves in the H2 file at {@code args[0]} what a SIGKILL can: one transaction's undo log marked
   * committed while its changes are not yet (killed inside {@code commit}), and another's changes
   * without their undo-log entries (H2 wrote the table's map after the change, the undo log's before
   * its entry). H2 gets there by timing; here it is forced through its store API. Then waits for the
   * kill.
   */
  public static final class KilledWithLeftovers {
    public static void main(String[] args) throws Exception {
      String url = args[0];
      try (Connection setup = DriverManager.getConnection(url);
          Statement statement = setup.createStatement()) {
        statement.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
        statement.execute("CREATE INDEX t_v ON t (v)");
        statement.execute("CREATE TABLE held (id INT PRIMARY KEY)");
        statement.execute("INSERT INTO t VALUES (1, 'before'), (3, 'before')");
      }
      Connection committing = DriverManager.getConnection(url);
      committing.setAutoCommit(false);
      committing.createStatement().executeUpdate("UPDATE t SET v = 'committed' WHERE id = 1");
      committing.createStatement().executeUpdate("INSERT INTO t VALUES (2, 'committed')");
      Connection ownerless = DriverManager.getConnection(url);
      ownerless.setAutoCommit(false);
      ownerless.createStatement().executeUpdate("UPDATE t SET v = 'rolled back' WHERE id = 3");
      ownerless.createStatement().executeUpdate("INSERT INTO t VALUES (4, 'rolled back')");

      TransactionStore transactions = transactions(committing);
      MVStore store = session(committing).getDatabase().getStore().getMvStore();
      int committingId = transaction(committing).getId();
      int ownerlessId = transaction(ownerless).getId();
      // The first step of TransactionStore.commit: the mark H2 reads back as "this one committed".
      Method markCommitted = TransactionStore.class.getDeclaredMethod("markUndoLogAsCommitted", int.class, long.class);
      markCommitted.setAccessible(true);
      markCommitted.invoke(transactions, committingId, 1L);
      String undoLog = TransactionStore.UNDO_LOG_NAME_PREFIX + "." + ownerlessId;
      store.getMap(DataUtils.parseHexInt(store.getMetaMap().get("name." + undoLog))).clear();
      store.commit();
      System.out.println("leftovers written; highest transaction id " + Math.max(committingId, ownerlessId));
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
