package dev.relay.persistence;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relay.cluster.Readiness;
import dev.relay.core.AsyncFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The node's database: which one (embedded H2 or PostgreSQL), its schema, and the connection pool of
 * the read side. The journal reaches the same database through pekko-persistence-jdbc's own pool.
 */
public final class Database implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Database.class);
  /** Any fixed number: every Relay node takes this advisory lock while it creates the schema. */
  private static final long SCHEMA_LOCK = 0x52454C4159L;

  private static final List<String> REQUIRED_TABLES =
      List.of("event_journal", "event_tag", "snapshot", "relay_pending", "pekko_projection_offset_store", "journal_item",
          "journal_item_state");

  private final HikariDataSource pool;
  /** On H2, the connection that opened the database (and recovered it): held until close. */
  private final Connection h2Held;
  private final boolean postgres;
  private final Path h2File;
  private final Duration startMinBackoff;
  private final Duration startMaxBackoff;
  private final Duration probeInterval;
  private final int probeTimeoutSeconds;
  private final AtomicBoolean probing = new AtomicBoolean();
  /**
   * On H2, the open database's store (shared by every session) and the group commit that what the
   * node acknowledges waits for; both null on PostgreSQL.
   */
  private final MVStore h2Store;
  private final H2Flush h2Flush;

  /** True when the node stores its journal in PostgreSQL rather than the embedded H2. */
  public static boolean usesPostgres(Config config) {
    return !config.getString("relay.db.url").isBlank();
  }

  private Database(HikariDataSource pool, DatabaseSettings settings, Connection h2Held) {
    this.pool = pool;
    this.h2Held = h2Held;
    this.postgres = settings.postgres();
    this.h2File = settings.h2File();
    this.startMinBackoff = settings.startRetryMinBackoff();
    this.startMaxBackoff = settings.startRetryMaxBackoff();
    this.probeInterval = settings.probeInterval();
    // JDBC counts in whole seconds, and 0 would mean no limit.
    this.probeTimeoutSeconds = (int) Math.max(1, settings.probeTimeout().toSeconds());
    if (h2Held == null) {
      this.h2Store = null;
      this.h2Flush = null;
    } else {
      this.h2Store = storeOf(h2Held);
      H2StoreBuffer.set(h2Store, settings.h2StoreBuffer());
      this.h2Flush = new H2Flush(h2Store);
    }
  }

  private static MVStore storeOf(Connection h2Held) {
    try {
      return H2Housekeeping.mvStore(h2Held);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot reach the H2 store: " + e.getMessage(), e);
    }
  }

  /** The embedded database's store, for its housekeeping (H2 only). */
  public MVStore h2Store() {
    if (h2Store == null) {
      throw new IllegalStateException("the node runs on PostgreSQL, not H2");
    }
    return h2Store;
  }

  /**
   * Completes once every commit made before the call is durable: at once on PostgreSQL, whose commit
   * is; on H2, once the store has written it to its file (a group commit, see {@link H2Flush}).
   * Whatever the node acknowledges (a {@code 200} to ingest, an admin change) waits for it.
   */
  public CompletionStage<Done> flushed() {
    return h2Flush == null ? CompletableFuture.completedFuture(Done.getInstance()) : h2Flush.flushed();
  }

  /**
   * Opens the read-side pool on the database the settings name; on H2, first finishes what a crash
   * left half done in its file (see {@link H2CrashRecovery}), before anything else in the node opens it.
   */
  public static Database open(DatabaseSettings settings) {
    Connection h2Held = settings.postgres() ? null : H2CrashRecovery.openRecovered(settings);
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("relay-read-side");
    hikari.setJdbcUrl(settings.url());
    hikari.setUsername(settings.user());
    hikari.setPassword(settings.password());
    hikari.setDriverClassName(settings.driver());
    // The journal pool's driver properties (RelayConfig sets them), so both pools talk alike.
    settings.driverProperties().forEach(hikari::addDataSourceProperty);
    hikari.setMaximumPoolSize(settings.readSidePoolSize());
    hikari.setAutoCommit(false);
    // The pool starts without the database: a node started while it is away waits for it.
    hikari.setInitializationFailTimeout(-1);
    hikari.setConnectionTimeout(settings.connectionTimeout().toMillis());
    // Every read-side statement is bounded: one stuck on a lock fails, and its projection restarts.
    long timeoutMs = settings.statementTimeout().toMillis();
    hikari.setConnectionInitSql(
        settings.postgres() ? "SET statement_timeout = " + timeoutMs : "SET QUERY_TIMEOUT " + timeoutMs);
    // Ends the transaction that statement opens (autocommit is off), so an idle connection holds
    // none. On H2 an idle transaction keeps its id, and a row a SIGKILL left half-written (its
    // change on disk without its undo log; H2CrashRecovery now rolls such changes back at start)
    // counts as locked by whichever transaction has the id it was written under.
    hikari.setIsolateInternalQueries(true);
    return new Database(new HikariDataSource(hikari), settings, h2Held);
  }

  /** The embedded database's file (meaningless on PostgreSQL). */
  public Path h2File() {
    return h2File;
  }

  public DataSource dataSource() {
    return pool;
  }

  public boolean isPostgres() {
    return postgres;
  }

  /**
   * Creates what is missing of the schema once the database answers: tries again after a growing
   * pause (up to {@code maxBackoff}) while it does not, so a node started while the database is away
   * comes up by itself when it is back.
   */
  public CompletionStage<Done> createSchemaWhenReachable(ActorSystem<?> system) {
    CompletableFuture<Done> created = new CompletableFuture<>();
    attemptSchema(system, startMinBackoff, startMaxBackoff, created);
    return created;
  }

  /**
   * Keeps the readiness condition {@code condition} equal to whether the database answers, checked
   * every {@code relay.db.probe-interval} on a thread meant for blocking work, one probe at a time.
   */
  public void probeForReadiness(ActorSystem<?> system, Readiness readiness, String condition) {
    ExecutionContextExecutor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    Runnable probe =
        () -> {
          if (probing.compareAndSet(false, true)) {
            try {
              if (isReachable()) {
                readiness.ready(condition);
              } else {
                readiness.notReady(condition);
              }
            } finally {
              probing.set(false);
            }
          }
        };
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, probeInterval, probe, blocking);
  }

  private void attemptSchema(ActorSystem<?> system, Duration backoff, Duration maxBackoff, CompletableFuture<Done> created) {
    CompletableFuture.runAsync(this::createSchemaIfMissing, system.dispatchers().lookup(DispatcherSelector.blocking()))
        .whenComplete(
            (done, failure) -> {
              if (failure == null) {
                created.complete(Done.getInstance());
                return;
              }
              Throwable cause = AsyncFailure.unwrap(failure);
              log.warn("The database is not reachable yet ({}); trying again in {} ms", cause.getMessage(), backoff.toMillis());
              Duration next = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
              system.scheduler()
                  .scheduleOnce(backoff, () -> attemptSchema(system, next, maxBackoff, created), system.executionContext());
            });
  }

  /** Whether a connection can be had and answers; false rather than waiting past the pool's timeout. */
  boolean isReachable() {
    try (Connection connection = pool.getConnection()) {
      return connection.isValid(probeTimeoutSeconds);
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Creates what is missing of the schema. On PostgreSQL the whole script runs in one transaction
   * under an advisory lock, so nodes starting together do it one after another and never see half of
   * it; H2 is embedded, so only this process can reach it.
   */
  public void createSchemaIfMissing() {
    List<String> statements = new ArrayList<>(statements(postgres ? "db/postgres.sql" : "db/h2.sql"));
    statements.addAll(statements("db/read-side.sql"));
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      if (postgres) {
        statement.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
      }
      for (String sql : statements) {
        statement.execute(sql);
      }
      if (!postgres) {
        payloadsInTheirRows(statement);
      }
      actionStatesInTheirOwnTable(statement);
      // The pool does not auto-commit; uncommitted DDL is rolled back on PostgreSQL when the
      // connection returns to the pool.
      connection.commit();
      verifyTables(connection);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create the database schema: " + e.getMessage(), e);
    }
    log.info("Database schema ready on {}", postgres ? "PostgreSQL" : "H2");
  }

  /**
   * Converts the BLOB columns of an H2 file made before the payloads moved into their rows (see
   * db/h2.sql) to VARBINARY, keeping what they hold: H2 rewrites each such table once, at the first
   * start of this version.
   */
  private static void payloadsInTheirRows(Statement statement) throws SQLException {
    List<String> alters = new ArrayList<>();
    try (ResultSet columns =
        statement.executeQuery(
            "SELECT TABLE_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS"
                + " WHERE TABLE_SCHEMA = 'PUBLIC' AND DATA_TYPE = 'BINARY LARGE OBJECT'")) {
      while (columns.next()) {
        alters.add(
            "ALTER TABLE PUBLIC.\"" + columns.getString(1) + "\" ALTER COLUMN \"" + columns.getString(2)
                + "\" SET DATA TYPE VARBINARY");
      }
    }
    for (String alter : alters) {
      log.info("Moving a payload column from H2's LOB store into its rows, once (the table is rewritten): {}", alter);
      statement.execute(alter);
    }
  }

  /** Columns of journal_item that moved to journal_item_state (see db/read-side.sql). */
  private static final List<String> STATE_COLUMNS =
      List.of("status", "attempts", "last_status", "last_error", "last_attempt_at", "next_attempt_at", "replayed_as");

  /**
   * Moves where each action stands out of a journal_item made before journal_item_state existed,
   * keeping it: once, at the first start of this version, in the schema's transaction. H2 commits
   * at each change of a table's structure, so there a conversion cut short (a kill) is finished by
   * the next start: the states are copied at most once, before the first column goes.
   */
  private static void actionStatesInTheirOwnTable(Statement statement) throws SQLException {
    Set<String> left = new TreeSet<>();
    try (ResultSet columns =
        statement.executeQuery(
            "SELECT LOWER(COLUMN_NAME) FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = CURRENT_SCHEMA"
                + " AND LOWER(TABLE_NAME) = 'journal_item'")) {
      while (columns.next()) {
        if (STATE_COLUMNS.contains(columns.getString(1))) {
          left.add(columns.getString(1));
        }
      }
    }
    if (left.isEmpty()) {
      return;
    }
    log.info("Moving where each action stands from journal_item to journal_item_state, once");
    if (left.contains("status")) {
      // A journal_item older still may lack replayed_as: it then has no replays to keep.
      statement.execute("ALTER TABLE journal_item ADD COLUMN IF NOT EXISTS replayed_as VARCHAR(64)");
      String columns = "item_id, destination_id, queued_at, seq, is_test, " + String.join(", ", STATE_COLUMNS);
      statement.execute(
          "INSERT INTO journal_item_state (" + columns + ") SELECT " + columns + " FROM journal_item"
              + " WHERE NOT EXISTS (SELECT 1 FROM journal_item_state s WHERE s.item_id = journal_item.item_id)");
    }
    statement.execute("DROP INDEX IF EXISTS journal_item_by_status");
    for (String column : STATE_COLUMNS) { // status first: once it is gone, the states were copied
      statement.execute("ALTER TABLE journal_item DROP COLUMN IF EXISTS " + column);
    }
  }

  private static void verifyTables(Connection connection) throws SQLException {
    Set<String> present = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    try (var tables = connection.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
      while (tables.next()) {
        present.add(tables.getString("TABLE_NAME"));
      }
    }
    for (String table : REQUIRED_TABLES) {
      if (!present.contains(table)) {
        throw new SQLException("table " + table + " is missing after schema creation");
      }
    }
  }

  /** The statements of a schema script: split on ';' at line ends, comments dropped. */
  static List<String> statements(String resource) {
    try (InputStream in = Database.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String withoutComments =
          String.join("\n", script.lines().filter(line -> !line.strip().startsWith("--")).toList());
      return Arrays.stream(withoutComments.split(";\\s*(\n|$)"))
          .map(String::strip)
          .filter(s -> !s.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    pool.close();
    if (h2Flush != null) {
      h2Flush.close();
    }
    if (h2Held != null) {
      try {
        h2Held.close();
      } catch (SQLException e) {
        log.warn("Closing the H2 database failed: {}", e.getMessage());
      }
    }
  }
}
