package dev.relay.persistence;

import dev.relay.metrics.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.runtime.BoxedUnit;
import scala.util.Try;
import slick.dbio.DBIOAction;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.SimpleJdbcAction;

/**
 * The journal's DAO with writes as two JDBC batches — the events, then their tags — in one
 * transaction, so a {@code persistAll} of a thousand events is a handful of round trips.
 *
 * <p>pekko-persistence-jdbc 1.1.1 inserts each event on its own to learn its {@code ordering}
 * (Slick cannot batch an insert that returns keys), then the tags: one round trip per event, which
 * was the ceiling of ingest and delivery. On PostgreSQL the orderings are drawn from the sequence
 * first, so the batch names them and the driver sends it as multi-row INSERTs; on H2,
 * {@code executeBatch} with generated keys returns them in order. Reads, and everything else, are
 * the default DAO's. Configured by {@code jdbc-journal.dao}; Relay's schema (db/*.sql), quoted
 * lowercase names for H2.
 *
 * <p>The same transaction writes the {@link JournalSideWrites} tables: the events they want are noted
 * by persistence id and sequence number as they are handed to the journal (the payload objects are
 * gone once serialized and queued), and taken back when their rows are written.
 */
public final class BatchInsertJournalDao extends DefaultJournalDao {

  private static final String INSERT_EVENT =
      """
      INSERT INTO "event_journal" ("deleted", "persistence_id", "sequence_number", "writer", "write_timestamp",
        "adapter_manifest", "event_payload", "event_ser_id", "event_ser_manifest", "meta_payload", "meta_ser_id",
        "meta_ser_manifest")
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """;
  /** PostgreSQL: the orderings are taken first (see takeOrderings), so the insert names them. */
  private static final String INSERT_EVENT_WITH_ORDERING =
      """
      INSERT INTO event_journal (deleted, persistence_id, sequence_number, writer, write_timestamp,
        adapter_manifest, event_payload, event_ser_id, event_ser_manifest, meta_payload, meta_ser_id,
        meta_ser_manifest, ordering)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """;
  /** The sequence of event_journal's BIGSERIAL ordering (db/postgres.sql). */
  private static final String TAKE_ORDERINGS =
      "SELECT nextval('event_journal_ordering_seq') FROM generate_series(1, ?)";
  /** Key of the PostgreSQL advisory lock that orders journal writes (see takeOrderingLock). */
  private static final long ORDERING_LOCK = 0x52656c61794a4cL; // "RelayJL"

  private static final ReentrantLock H2_ORDERING = new ReentrantLock();
  private static final String INSERT_TAG = "INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES (?, ?)";

  private final Timer written;
  private final Timer failed;
  private final JournalSideWrites sideWrites;
  /** Events a side table wants, from asyncWriteMessages until their rows are written (or fail). */
  private final Map<EventKey, JournalSideWrites.Written> forSideTables = new ConcurrentHashMap<>();

  private record EventKey(String persistenceId, long sequenceNr) {}

  public BatchInsertJournalDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      JournalConfig journalConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    MeterRegistry registry = Metrics.get(Adapter.toTyped(serialization.system())).registry();
    this.sideWrites = JournalSideWrites.get(Adapter.toTyped(serialization.system()));
    this.written = writeTimer(registry, "ok");
    this.failed = writeTimer(registry, "failed");
  }

  private static Timer writeTimer(MeterRegistry registry, String result) {
    return Timer.builder(Metrics.JOURNAL_WRITE)
        .description("one journal write transaction (events and tags), ordering lock wait included")
        .tag("result", result)
        .register(registry);
  }

  @Override
  public Future<Seq<Try<BoxedUnit>>> asyncWriteMessages(Seq<AtomicWrite> messages) {
    List<EventKey> noted = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      Seq<PersistentRepr> reprs = messages.apply(i).payload();
      for (int j = 0; j < reprs.size(); j++) {
        PersistentRepr repr = reprs.apply(j);
        Object event = repr.payload() instanceof Tagged tagged ? tagged.payload() : repr.payload();
        if (sideWrites.tableFor(event) != null) {
          EventKey key = new EventKey(repr.persistenceId(), repr.sequenceNr());
          forSideTables.put(key, new JournalSideWrites.Written(repr.persistenceId(), repr.sequenceNr(), event));
          noted.add(key);
        }
      }
    }
    Future<Seq<Try<BoxedUnit>>> result = super.asyncWriteMessages(messages);
    if (!noted.isEmpty()) {
      // Normally taken by the write; left only if serialization or the queue failed first.
      result.onComplete(done -> {
        noted.forEach(forSideTables::remove);
        return BoxedUnit.UNIT;
      }, ec());
    }
    return result;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Future<BoxedUnit> writeJournalRows(Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    return db().run((DBIOAction) SimpleJdbcAction.apply(context -> timed(context.connection(), rows)));
  }

  private BoxedUnit timed(Connection connection, Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    long start = System.nanoTime();
    boolean ok = false;
    try {
      BoxedUnit done = write(connection, rows);
      ok = true;
      return done;
    } finally {
      (ok ? written : failed).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private BoxedUnit write(Connection connection, Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    try {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try {
        boolean postgres = isPostgres(connection);
        takeOrderingLock(connection, postgres);
        long[] orderings = insertEvents(connection, postgres, rows);
        insertTags(connection, rows, orderings);
        writeSideTables(connection, rows);
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        if (H2_ORDERING.isHeldByCurrentThread()) {
          H2_ORDERING.unlock();
        }
        connection.setAutoCommit(autoCommit);
      }
      return BoxedUnit.UNIT;
    } catch (SQLException e) {
      throw new IllegalStateException("journal write failed: " + e.getMessage(), e);
    }
  }

  /**
   * Writes take their orderings and commit one at a time, so no ordering commits after a higher one.
   * The read journal skips a gap in the ordering it has waited for (journal-sequence-retrieval,
   * 3 s) as lost, so an event committed later than that would never reach the read side. Held to
   * the commit: PostgreSQL's transaction-level advisory lock for every node on the database, the
   * embedded H2 (one node) a lock of this JVM.
   */
  private static void takeOrderingLock(Connection connection, boolean postgres) throws SQLException {
    if (postgres) {
      try (Statement lock = connection.createStatement()) {
        lock.execute("SELECT pg_advisory_xact_lock(" + ORDERING_LOCK + ")");
      }
    } else {
      H2_ORDERING.lock();
    }
  }

  /** The side tables' changes from the events of {@code rows} they want, grouped by table in journal order. */
  private void writeSideTables(Connection connection, Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows)
      throws SQLException {
    if (forSideTables.isEmpty()) {
      return;
    }
    Map<JournalSideWrites.Table, List<JournalSideWrites.Written>> byTable = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      JournalPekkoSerializationRow row = rows.apply(i)._1();
      JournalSideWrites.Written written = forSideTables.remove(new EventKey(row.persistenceId(), row.sequenceNumber()));
      if (written != null) {
        byTable.computeIfAbsent(sideWrites.tableFor(written.event()), t -> new ArrayList<>()).add(written);
      }
    }
    for (Map.Entry<JournalSideWrites.Table, List<JournalSideWrites.Written>> table : byTable.entrySet()) {
      table.getKey().write(connection, table.getValue());
    }
  }

  private static boolean isPostgres(Connection connection) throws SQLException {
    return connection.getMetaData().getDatabaseProductName().equals("PostgreSQL");
  }

  private static long[] insertEvents(
      Connection connection, boolean postgres, Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows)
      throws SQLException {
    if (postgres) {
      long[] orderings = takeOrderings(connection, rows.size());
      try (PreparedStatement insert = connection.prepareStatement(INSERT_EVENT_WITH_ORDERING)) {
        for (int i = 0; i < rows.size(); i++) {
          setEvent(insert, rows.apply(i)._1());
          insert.setLong(13, orderings[i]);
          insert.addBatch();
        }
        insert.executeBatch();
      }
      return orderings;
    }
    // H2 returns the identity column for RETURN_GENERATED_KEYS, and matches names case-sensitively.
    try (PreparedStatement insert = connection.prepareStatement(INSERT_EVENT, Statement.RETURN_GENERATED_KEYS)) {
      for (int i = 0; i < rows.size(); i++) {
        setEvent(insert, rows.apply(i)._1());
        insert.addBatch();
      }
      insert.executeBatch();
      long[] orderings = new long[rows.size()];
      try (ResultSet keys = insert.getGeneratedKeys()) {
        for (int i = 0; i < orderings.length; i++) {
          if (!keys.next()) {
            throw new SQLException("the database returned " + i + " keys for " + orderings.length + " events");
          }
          orderings[i] = keys.getLong(1);
        }
      }
      return orderings;
    }
  }

  /**
   * The next {@code count} orderings of PostgreSQL's sequence, ascending. Taken under the ordering
   * lock, which every journal write holds, so no other write draws from the sequence meanwhile.
   * Knowing them before the insert lets the driver send the events as multi-row INSERTs
   * (reWriteBatchedInserts), which it will not do for a batch that returns generated keys: that
   * went one statement per event.
   */
  private static long[] takeOrderings(Connection connection, int count) throws SQLException {
    long[] orderings = new long[count];
    try (PreparedStatement take = connection.prepareStatement(TAKE_ORDERINGS)) {
      take.setInt(1, count);
      try (ResultSet drawn = take.executeQuery()) {
        for (int i = 0; i < count; i++) {
          if (!drawn.next()) {
            throw new SQLException("the sequence gave " + i + " orderings for " + count + " events");
          }
          orderings[i] = drawn.getLong(1);
        }
      }
    }
    Arrays.sort(orderings);
    return orderings;
  }

  private static void setEvent(PreparedStatement insert, JournalPekkoSerializationRow row) throws SQLException {
    insert.setBoolean(1, row.deleted());
    insert.setString(2, row.persistenceId());
    insert.setLong(3, row.sequenceNumber());
    insert.setString(4, row.writer());
    insert.setLong(5, row.writeTimestamp());
    insert.setString(6, row.adapterManifest());
    insert.setBytes(7, row.eventPayload());
    insert.setInt(8, row.eventSerId());
    insert.setString(9, row.eventSerManifest());
    if (row.metaPayload().isDefined()) {
      insert.setBytes(10, row.metaPayload().get());
      insert.setInt(11, (Integer) row.metaSerId().get());
      insert.setString(12, row.metaSerManifest().get());
    } else {
      insert.setNull(10, Types.BINARY);
      insert.setNull(11, Types.INTEGER);
      insert.setNull(12, Types.VARCHAR);
    }
  }

  private static void insertTags(
      Connection connection, Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows, long[] orderings)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT_TAG)) {
      boolean any = false;
      for (int i = 0; i < rows.size(); i++) {
        scala.collection.Iterator<String> tags = rows.apply(i)._2().iterator();
        while (tags.hasNext()) {
          insert.setLong(1, orderings[i]);
          insert.setString(2, tags.next());
          insert.addBatch();
          any = true;
        }
      }
      if (any) {
        insert.executeBatch();
      }
    }
  }
}
