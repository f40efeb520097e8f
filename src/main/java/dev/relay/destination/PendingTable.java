package dev.relay.destination;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.catalog.Outcome;
import dev.relay.destination.DestinationEvent.ActionDiscarded;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.destination.DestinationEvent.ActionReplayed;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.destination.DestinationEvent.PendingCarriedOver;
import dev.relay.destination.DestinationState.PendingAction;
import dev.relay.persistence.JournalSideWrites;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.serialization.Serialization;

/**
 * Destinations' pending actions in the database ({@code relay_pending}), one row per action: when it
 * is due, how often it was attempted, and where in the destination's journal its event is. Rows are
 * written in the journal's own transaction from the events that change them (a {@link
 * JournalSideWrites.Table}), so the table always agrees with the journal; the entity reads it in due
 * order, a window at a time. An action's event is stored once, in the journal event that queued it.
 */
public final class PendingTable implements JournalSideWrites.Table, PendingStore {

  private static final String PERSISTENCE_ID_PREFIX = DestinationEntity.TYPE_KEY.name() + "|";

  private static final String INSERT =
      """
      INSERT INTO "relay_pending" ("destination_id", "item_id", "action_id", "attempts", "queued_at", "due_at", "sequence_number", "body_hash")
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      """;
  // A null hash keeps the one stored: the attempt's body was the one journaled before.
  private static final String RETRY =
      """
      UPDATE "relay_pending" SET "attempts" = ?, "due_at" = ?, "body_hash" = COALESCE(CAST(? AS VARCHAR(32)), "body_hash")
      WHERE "destination_id" = ? AND "item_id" = ?
      """;
  private static final String DELETE = "DELETE FROM \"relay_pending\" WHERE \"destination_id\" = ? AND \"item_id\" = ?";
  private static final String PAGE =
      """
      SELECT p."item_id", p."action_id", p."attempts", p."queued_at", p."due_at", p."sequence_number",
        j."event_payload", j."event_ser_id", j."event_ser_manifest", p."body_hash"
      FROM "relay_pending" p
      JOIN "event_journal" j ON j."persistence_id" = ? AND j."sequence_number" = p."sequence_number"
      WHERE p."destination_id" = ?
      ORDER BY p."due_at", p."item_id"
      LIMIT ?
      """;
  private static final String COUNTS =
      """
      SELECT COUNT(*), COALESCE(SUM(CASE WHEN "attempts" > 0 THEN 1 ELSE 0 END), 0), MIN("queued_at")
      FROM "relay_pending" WHERE "destination_id" = ?
      """;

  private final DataSource dataSource;
  private final Executor blocking;
  private final Serialization serialization;
  /** PostgreSQL: retries and deletes are planned with their values (see {@link #planWithValues}). */
  private final boolean postgres;

  public PendingTable(DataSource dataSource, Executor blocking, Serialization serialization, boolean postgres) {
    this.dataSource = dataSource;
    this.blocking = blocking;
    this.serialization = serialization;
    this.postgres = postgres;
  }

  // ---------------------------------------------------------------------------------------------
  // Written with the journal

  @Override
  public boolean wants(Object event) {
    return event instanceof ActionQueued queued && !queued.test()
        || event instanceof ActionReplayed
        || event instanceof AttemptRecorded
        || event instanceof ActionDiscarded
        || event instanceof PendingCarriedOver;
  }

  @Override
  public void write(Connection connection, List<JournalSideWrites.Written> events) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT);
        PreparedStatement retry = connection.prepareStatement(RETRY);
        PreparedStatement delete = connection.prepareStatement(DELETE)) {
      Batch inserts = new Batch(insert);
      Batch retries = new Batch(retry);
      Batch deletes = new Batch(delete);
      for (JournalSideWrites.Written written : events) {
        String destinationId = destinationIdOf(written.persistenceId());
        long seq = written.sequenceNr();
        if (written.event() instanceof ActionQueued e) {
          inserts.add(destinationId, e.itemId(), e.actionId(), 0, micros(e.queuedAt()), micros(e.queuedAt()), seq, null);
        } else if (written.event() instanceof ActionReplayed e) {
          inserts.add(destinationId, e.itemId(), e.actionId(), 0, micros(e.queuedAt()), micros(e.queuedAt()), seq, null);
        } else if (written.event() instanceof PendingCarriedOver e) {
          for (PendingAction p : e.actions()) {
            inserts.add(destinationId, p.itemId(), p.actionId(), p.attempts(), micros(p.queuedAt()), micros(p.nextAttemptAt()), seq,
                p.bodyHash());
          }
        } else if (written.event() instanceof AttemptRecorded e) {
          String bodyHash = e.bodyHashForRetries().orElse(null);
          for (ItemOutcome item : e.items()) {
            if (item.outcome() == Outcome.RETRY && item.nextAttemptAt().isPresent()) {
              retries.add(item.attempt(), micros(item.nextAttemptAt().get()), bodyHash, destinationId, item.itemId());
            } else {
              deletes.add(destinationId, item.itemId());
            }
          }
        } else if (written.event() instanceof ActionDiscarded e) {
          e.itemIds().forEach(id -> deletes.add(destinationId, id));
        }
      }
      // Inserts, retries, deletes: the order events of one write can need (an action queued and
      // discarded at once; a retry recorded and then discarded).
      inserts.run();
      if (postgres && (retries.any || deletes.any)) {
        planWithValues(connection);
      }
      retries.run();
      deletes.run();
    }
  }

  /**
   * On PostgreSQL, has this transaction's statements planned with their values. A prepared statement
   * gets one generic plan for good after five executions, costed on the table's statistics; made
   * while relay_pending has never been analyzed (a new database, the first minutes), the plan of
   * RETRY and DELETE walks relay_pending_due_idx over every row of the destination, dead ones too,
   * instead of reading one key of the primary key: measured, 190 index pages per deleted row (3 by
   * the key), most of the database's work per event, until an ANALYZE happens to replan it.
   */
  private static void planWithValues(Connection connection) throws SQLException {
    try (Statement set = connection.createStatement()) {
      set.execute("SET LOCAL plan_cache_mode = force_custom_plan");
    }
  }

  /** One statement's batch; parameters as given. */
  private static final class Batch {
    private final PreparedStatement statement;
    private boolean any;
    private SQLException failure;

    Batch(PreparedStatement statement) {
      this.statement = statement;
    }

    void add(Object... parameters) {
      try {
        for (int i = 0; i < parameters.length; i++) {
          statement.setObject(i + 1, parameters[i]);
        }
        statement.addBatch();
        any = true;
      } catch (SQLException e) {
        failure = e;
      }
    }

    void run() throws SQLException {
      if (failure != null) {
        throw failure;
      }
      if (any) {
        statement.executeBatch();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Read by the entity

  @Override
  public CompletionStage<Page> load(String destinationId, int limit, boolean counted) {
    return query(connection -> {
      List<PendingAction> page = new ArrayList<>();
      // Actions carried over from a snapshot share one event: read it once.
      Map<Long, Object> events = new HashMap<>();
      try (PreparedStatement select = connection.prepareStatement(PAGE)) {
        select.setString(1, PERSISTENCE_ID_PREFIX + destinationId);
        select.setString(2, destinationId);
        select.setInt(3, limit);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            String itemId = rows.getString(1);
            Object journaled = events.computeIfAbsent(rows.getLong(6),
                seq -> deserialize(sneaky(() -> rows.getBytes(7)), sneaky(() -> rows.getInt(8)), sneaky(() -> rows.getString(9))));
            ObjectNode event = eventOf(journaled, itemId);
            page.add(new PendingAction(
                itemId, rows.getString(2), event.path("messageId").asText(), event, rows.getInt(3),
                instant(rows.getLong(4)), instant(rows.getLong(5)), rows.getString(10)));
          }
        }
      }
      return new Page(page, counted ? Optional.of(counts(connection, destinationId)) : Optional.empty());
    });
  }

  @Override
  public CompletionStage<Counts> count(String destinationId) {
    return query(connection -> counts(connection, destinationId));
  }

  private static Counts counts(Connection connection, String destinationId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(COUNTS)) {
      select.setString(1, destinationId);
      try (ResultSet rows = select.executeQuery()) {
        rows.next();
        long oldest = rows.getLong(3);
        Optional<Instant> oldestQueuedAt = rows.wasNull() ? Optional.empty() : Optional.of(instant(oldest));
        return new Counts(rows.getInt(1), rows.getInt(2), oldestQueuedAt);
      }
    }
  }

  @Override
  public CompletionStage<List<String>> pendingOf(String destinationId, Collection<String> actionIds, boolean except, int limit) {
    return query(connection -> {
      StringBuilder sql =
          new StringBuilder("SELECT \"item_id\" FROM \"relay_pending\" WHERE \"destination_id\" = ?");
      if (!actionIds.isEmpty() || !except) {
        sql.append(" AND \"action_id\" ").append(except ? "NOT IN (" : "IN (");
        sql.append(actionIds.isEmpty() ? "NULL" : "?,".repeat(actionIds.size()).substring(0, 2 * actionIds.size() - 1));
        sql.append(')');
      }
      sql.append(" ORDER BY \"due_at\", \"item_id\" LIMIT ?");
      List<String> ids = new ArrayList<>();
      try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
        int i = 1;
        select.setString(i++, destinationId);
        for (String actionId : actionIds) {
          select.setString(i++, actionId);
        }
        select.setInt(i, limit);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            ids.add(rows.getString(1));
          }
        }
      }
      return ids;
    });
  }

  @Override
  public CompletionStage<Set<String>> pendingAmong(String destinationId, Collection<String> itemIds) {
    if (itemIds.isEmpty()) {
      return CompletableFuture.completedFuture(Set.of());
    }
    return query(connection -> {
      Set<String> pending = new HashSet<>();
      List<String> ids = List.copyOf(itemIds);
      for (int from = 0; from < ids.size(); from += 500) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
        String sql = "SELECT \"item_id\" FROM \"relay_pending\" WHERE \"destination_id\" = ? AND \"item_id\" IN ("
            + "?,".repeat(chunk.size()).substring(0, 2 * chunk.size() - 1) + ")";
        try (PreparedStatement select = connection.prepareStatement(sql)) {
          select.setString(1, destinationId);
          for (int i = 0; i < chunk.size(); i++) {
            select.setString(i + 2, chunk.get(i));
          }
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              pending.add(rows.getString(1));
            }
          }
        }
      }
      return pending;
    });
  }

  private Object deserialize(byte[] payload, int serializerId, String manifest) {
    return serialization.deserialize(payload, serializerId, manifest).get();
  }

  private interface SqlValue<T> {
    T get() throws SQLException;
  }

  private static <T> T sneaky(SqlValue<T> value) {
    try {
      return value.get();
    } catch (SQLException e) {
      throw new IllegalStateException("reading pending actions failed: " + e.getMessage(), e);
    }
  }

  private static ObjectNode eventOf(Object event, String itemId) {
    if (event instanceof ActionQueued queued) {
      return queued.event();
    } else if (event instanceof ActionReplayed replayed) {
      return replayed.event();
    } else if (event instanceof PendingCarriedOver carried) {
      return carried.actions().stream().filter(p -> p.itemId().equals(itemId)).findFirst()
          .map(PendingAction::event)
          .orElseThrow(() -> new IllegalStateException("pending action " + itemId + " is not in the event it names"));
    }
    throw new IllegalStateException("pending action " + itemId + " names a " + event.getClass().getSimpleName());
  }

  private interface Query<T> {
    T run(Connection connection) throws SQLException;
  }

  private <T> CompletionStage<T> query(Query<T> query) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection connection = dataSource.getConnection()) {
        try {
          return query.run(connection);
        } finally {
          connection.rollback(); // read only; the pool does not auto-commit
        }
      } catch (SQLException e) {
        throw new IllegalStateException("reading pending actions failed: " + e.getMessage(), e);
      }
    }, blocking);
  }

  static String destinationIdOf(String persistenceId) {
    return persistenceId.startsWith(PERSISTENCE_ID_PREFIX)
        ? persistenceId.substring(PERSISTENCE_ID_PREFIX.length())
        : persistenceId;
  }

  /** Epoch microseconds: what the table keeps, and the precision of due times in the window too. */
  static long micros(Instant at) {
    return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000);
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}
