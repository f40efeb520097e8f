package dev.relay.readside;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.destination.DestinationConfig;
import dev.relay.readside.ActionLogChanges.Attempt;
import dev.relay.readside.ActionLogChanges.AttemptItem;
import dev.relay.readside.ActionLogChanges.Counts;
import dev.relay.readside.ActionLogChanges.Item;
import dev.relay.readside.ActionLogChanges.Journaled;
import dev.relay.readside.ActionLogChanges.LatencyKey;
import dev.relay.readside.ActionLogChanges.MinuteKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@link ActionLogChanges} with one batched statement per table, inside the caller's
 * transaction (the projection's, which also stores the offset).
 */
final class ActionLogWriter {

  private static final int IN_LIST = 200;

  private static final String INSERT_ITEM =
      """
      INSERT INTO journal_item (item_id, destination_id, seq, action_id, action_name, source_id, message_id,
        event_type, event_name, user_id, queued_at, is_test, event_json, replay_of)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """;

  private static final String INSERT_STATE =
      """
      INSERT INTO journal_item_state (item_id, destination_id, queued_at, seq, is_test, status, attempts, last_status,
        last_error, last_attempt_at, next_attempt_at, replayed_as)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """;

  private static final String INSERT_ATTEMPT =
      """
      INSERT INTO journal_attempt (attempt_id, destination_id, action_id, started_at, duration_ms, request_method,
        request_url, request_headers, request_body, response_status, response_body, error, items)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """;

  private static final String INSERT_ATTEMPT_ITEM =
      "INSERT INTO journal_attempt_item (item_id, attempt_id, attempt, outcome, next_attempt_at) VALUES (?, ?, ?, ?, ?)";

  private final SqlDialect dialect;
  private final ObjectMapper mapper;

  ActionLogWriter(SqlDialect dialect, ObjectMapper mapper) {
    this.dialect = dialect;
    this.mapper = mapper;
  }

  /** The stored configurations of {@code destinationIds}; those without one are left out. */
  Map<String, DestinationConfig> loadConfigs(Connection connection, Set<String> destinationIds) throws SQLException {
    Map<String, DestinationConfig> found = new HashMap<>();
    List<String> ids = new ArrayList<>(destinationIds);
    for (int from = 0; from < ids.size(); from += IN_LIST) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST));
      String sql =
          "SELECT destination_id, config_json FROM journal_destination WHERE config_json IS NOT NULL AND destination_id IN ("
              + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
      try (PreparedStatement select = connection.prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) {
          select.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            found.put(rows.getString(1), configOf(mapper, rows.getString(2)));
          }
        }
      }
    }
    return found;
  }

  static DestinationConfig configOf(ObjectMapper mapper, String json) {
    try {
      return mapper.readValue(json, DestinationConfig.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored destination configuration does not read: " + e.getMessage(), e);
    }
  }

  private String json(DestinationConfig config) {
    try {
      return mapper.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The request bodies of the latest attempts of actions {@code itemIds} stored before attempt
   * {@code beforeAttemptId}, by item; actions without one are left out.
   */
  static Map<String, String> loadBodies(Connection connection, Set<String> itemIds, long beforeAttemptId)
      throws SQLException {
    Map<String, String> bodies = new HashMap<>();
    List<String> ids = new ArrayList<>(itemIds);
    for (int from = 0; from < ids.size(); from += IN_LIST) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST));
      String sql =
          "SELECT i.item_id, a.request_body FROM journal_attempt_item i JOIN journal_attempt a ON a.attempt_id = i.attempt_id"
              + " WHERE i.item_id IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")"
              + " AND i.attempt_id = (SELECT MAX(p.attempt_id) FROM journal_attempt_item p"
              + " WHERE p.item_id = i.item_id AND p.attempt_id < ?)";
      try (PreparedStatement select = connection.prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) {
          select.setString(i + 1, chunk.get(i));
        }
        select.setLong(chunk.size() + 1, beforeAttemptId);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            bodies.put(rows.getString(1), rows.getString(2));
          }
        }
      }
    }
    return bodies;
  }

  /** The stored rows of actions {@code itemIds}; the ones not stored are left out. */
  static Collection<Item> load(Connection connection, Set<String> itemIds) throws SQLException {
    List<Item> found = new ArrayList<>(itemIds.size());
    List<String> ids = new ArrayList<>(itemIds);
    for (int from = 0; from < ids.size(); from += IN_LIST) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST));
      String sql =
          "SELECT item_id, is_test, status, attempts, last_status, last_error, last_attempt_at, next_attempt_at"
              + " FROM journal_item_state WHERE item_id IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
      try (PreparedStatement select = connection.prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) {
          select.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            Item item = new Item(rows.getString(1), false, rows.getBoolean(2));
            item.status = ActionStatus.fromWire(rows.getString(3)).orElseThrow();
            item.attempts = rows.getInt(4);
            item.lastStatus = (Integer) rows.getObject(5, Integer.class);
            item.lastError = rows.getString(6);
            item.lastAttemptAt = rows.getObject(7, Long.class);
            item.nextAttemptAt = rows.getObject(8, Long.class);
            found.add(item);
          }
        }
      }
    }
    return found;
  }

  /**
   * Projects a group of journal events in the caller's transaction: the dialect's settings for it
   * first, then the stored rows the group changes are read, the dialect's settings for the writes
   * applied, and what it changes is written.
   */
  void project(Connection connection, List<Journaled> events) throws SQLException {
    execute(connection, dialect.beginProjectionTransaction());
    ActionLogChanges changes =
        ActionLogChanges.of(
            events,
            ids -> load(connection, ids),
            ids -> loadConfigs(connection, ids),
            (ids, before) -> loadBodies(connection, ids, before),
            mapper);
    List<Item> changed = changes.items.values().stream().filter(item -> !item.created && item.changed).toList();
    if (!changed.isEmpty()) {
      dialect.updateStates(connection, changed);
    }
    execute(connection, dialect.afterReads());
    write(connection, changes);
  }

  private static void execute(Connection connection, List<String> statements) throws SQLException {
    if (!statements.isEmpty()) {
      try (Statement statement = connection.createStatement()) {
        for (String sql : statements) {
          statement.execute(sql);
        }
      }
    }
  }

  private void write(Connection connection, ActionLogChanges changes) throws SQLException {
    if (changes.isEmpty()) {
      return;
    }
    writeDestinations(connection, changes.destinations);
    try (PreparedStatement insert = connection.prepareStatement(INSERT_ITEM);
        PreparedStatement insertState = connection.prepareStatement(INSERT_STATE)) {
      int inserts = 0;
      for (Item item : changes.items.values()) {
        if (item.created) {
          insert.setString(1, item.itemId);
          insert.setString(2, item.destinationId);
          insert.setLong(3, item.seq);
          insert.setString(4, item.actionId);
          insert.setString(5, item.actionName);
          insert.setString(6, item.sourceId);
          insert.setString(7, item.messageId);
          insert.setString(8, item.eventType);
          insert.setString(9, item.eventName);
          insert.setString(10, item.userId);
          insert.setLong(11, item.queuedAt);
          insert.setBoolean(12, item.test);
          insert.setString(13, item.eventJson);
          insert.setString(14, item.replayOf);
          insert.addBatch();
          insertState.setString(1, item.itemId);
          insertState.setString(2, item.destinationId);
          insertState.setLong(3, item.queuedAt);
          insertState.setLong(4, item.seq);
          insertState.setBoolean(5, item.test);
          insertState.setString(6, item.status.wireName());
          insertState.setInt(7, item.attempts);
          setInt(insertState, 8, item.lastStatus);
          insertState.setString(9, item.lastError);
          setLong(insertState, 10, item.lastAttemptAt);
          setLong(insertState, 11, item.nextAttemptAt);
          insertState.setString(12, item.replayedAs);
          insertState.addBatch();
          inserts++;
        }
      }
      if (inserts > 0) {
        insert.executeBatch();
        insertState.executeBatch();
      }
    }
    if (!changes.attempts.isEmpty()) {
      try (PreparedStatement insert = connection.prepareStatement(INSERT_ATTEMPT)) {
        for (Attempt attempt : changes.attempts) {
          insert.setLong(1, attempt.attemptId());
          insert.setString(2, attempt.destinationId());
          insert.setString(3, attempt.actionId());
          insert.setLong(4, attempt.startedAt());
          insert.setLong(5, attempt.durationMs());
          insert.setString(6, attempt.method());
          insert.setString(7, attempt.url());
          insert.setString(8, attempt.headersJson());
          insert.setString(9, attempt.body());
          setInt(insert, 10, attempt.responseStatus());
          insert.setString(11, attempt.responseBody());
          insert.setString(12, attempt.error());
          insert.setInt(13, attempt.items());
          insert.addBatch();
        }
        insert.executeBatch();
      }
      try (PreparedStatement insert = connection.prepareStatement(INSERT_ATTEMPT_ITEM)) {
        for (AttemptItem item : changes.attemptItems) {
          insert.setString(1, item.itemId());
          insert.setLong(2, item.attemptId());
          insert.setInt(3, item.attempt());
          insert.setString(4, item.outcome());
          setLong(insert, 5, item.nextAttemptAt());
          insert.addBatch();
        }
        insert.executeBatch();
      }
    }
    if (!changes.minutes.isEmpty()) {
      try (PreparedStatement add = connection.prepareStatement(dialect.addToMinute())) {
        for (Map.Entry<MinuteKey, Counts> entry : changes.minutes.entrySet()) {
          Counts counts = entry.getValue();
          add.setString(1, entry.getKey().destinationId());
          add.setLong(2, entry.getKey().minuteStart());
          add.setLong(3, counts.queued);
          add.setLong(4, counts.delivered);
          add.setLong(5, counts.failed);
          add.setLong(6, counts.retried);
          add.setLong(7, counts.discarded);
          add.setLong(8, counts.throttled);
          add.addBatch();
        }
        add.executeBatch();
      }
    }
    if (!changes.latency.isEmpty()) {
      try (PreparedStatement add = connection.prepareStatement(dialect.addToLatency())) {
        for (Map.Entry<LatencyKey, Long> entry : changes.latency.entrySet()) {
          add.setString(1, entry.getKey().destinationId());
          add.setLong(2, entry.getKey().minuteStart());
          add.setInt(3, entry.getKey().bucket());
          add.setLong(4, entry.getValue());
          add.addBatch();
        }
        add.executeBatch();
      }
    }
  }

  private void writeDestinations(Connection connection, Map<String, ActionLogChanges.Destination> destinations)
      throws SQLException {
    if (destinations.isEmpty()) {
      return;
    }
    try (PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO journal_destination (destination_id, created_at, deleted_at, config_json) VALUES (?, ?, ?, ?)");
        PreparedStatement configure =
            connection.prepareStatement("UPDATE journal_destination SET config_json = ? WHERE destination_id = ?");
        PreparedStatement delete =
            connection.prepareStatement("UPDATE journal_destination SET deleted_at = ? WHERE destination_id = ?")) {
      for (Map.Entry<String, ActionLogChanges.Destination> entry : destinations.entrySet()) {
        ActionLogChanges.Destination destination = entry.getValue();
        if (destination.createdAt != null) {
          insert.setString(1, entry.getKey());
          insert.setLong(2, destination.createdAt);
          setLong(insert, 3, destination.deletedAt);
          insert.setString(4, json(destination.config));
          insert.executeUpdate();
          continue;
        }
        if (destination.configChanged) {
          configure.setString(1, json(destination.config));
          configure.setString(2, entry.getKey());
          configure.executeUpdate();
        }
        if (destination.deletedAt != null) {
          delete.setLong(1, destination.deletedAt);
          delete.setString(2, entry.getKey());
          delete.executeUpdate();
        }
      }
    }
  }

  private static void setInt(PreparedStatement statement, int index, Integer value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.INTEGER);
    } else {
      statement.setInt(index, value);
    }
  }

  private static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.BIGINT);
    } else {
      statement.setLong(index, value);
    }
  }
}
