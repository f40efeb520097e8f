package dev.relay.readside;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.destination.DestinationCommand;
import dev.relay.destination.DestinationConfig;
import dev.relay.readside.ActionLogViews.Attempt;
import dev.relay.readside.ActionLogViews.Counters;
import dev.relay.readside.ActionLogViews.Detail;
import dev.relay.readside.ActionLogViews.Item;
import dev.relay.readside.ActionLogViews.Minute;
import dev.relay.readside.ActionLogViews.Page;
import dev.relay.readside.ActionLogViews.Request;
import dev.relay.readside.ActionLogViews.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Reads the query tables. Every query is bounded by a destination and served by an index; none
 * touches the event journal. JDBC blocks, so each runs on the read side's query dispatcher.
 */
final class ActionLogRepository {

  private static final String ITEM_COLUMNS =
      "item_id, message_id, action_name, action_id, event_type, event_name, user_id, status, attempts,"
          + " last_status, last_error, queued_at, last_attempt_at, next_attempt_at, is_test, seq, replay_of, replayed_as";

  private final DataSource dataSource;
  private final Executor executor;
  private final ObjectMapper mapper;

  ActionLogRepository(DataSource dataSource, Executor executor, ObjectMapper mapper) {
    this.dataSource = dataSource;
    this.executor = executor;
    this.mapper = mapper;
  }

  /** A page of a destination's actions, newest first. */
  CompletionStage<Page> list(String destinationId, ActionLogQuery query) {
    return run(connection -> list(connection, destinationId, query));
  }

  /** An action of the destination, with its source event and attempt log. */
  CompletionStage<Optional<Detail>> detail(String destinationId, String itemId) {
    return run(connection -> detail(connection, destinationId, itemId));
  }

  /** What the read side knows of a destination. */
  enum Known {
    /** Not (yet) projected: ask its entity. */
    UNKNOWN,
    ACTIVE,
    DELETED
  }

  CompletionStage<Known> known(String destinationId) {
    return run(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement("SELECT deleted_at FROM journal_destination WHERE destination_id = ?")) {
            select.setString(1, destinationId);
            try (ResultSet rows = select.executeQuery()) {
              if (!rows.next()) {
                return Known.UNKNOWN;
              }
              return rows.getObject(1, Long.class) == null ? Known.ACTIVE : Known.DELETED;
            }
          }
        });
  }

  /** The stored configuration of every live destination that has one, by id. */
  CompletionStage<Map<String, DestinationConfig>> configs() {
    return run(
        connection -> {
          Map<String, DestinationConfig> configs = new HashMap<>();
          try (PreparedStatement select =
                  connection.prepareStatement(
                      "SELECT destination_id, config_json FROM journal_destination"
                          + " WHERE deleted_at IS NULL AND config_json IS NOT NULL");
              ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              configs.put(rows.getString(1), ActionLogWriter.configOf(mapper, rows.getString(2)));
            }
          }
          return configs;
        });
  }

  /** The counters of a destination's minutes in [from, to). */
  CompletionStage<Counters> counters(String destinationId, long from, long to) {
    return run(connection -> counters(connection, destinationId, from, to));
  }

  /** A finished action as a replay needs it: where it stands, and what to send the destination. */
  record Replayable(ActionStatus status, boolean test, String replayedAs, DestinationCommand.ReplayOf replayOf) {}

  /** The action {@code itemId} of the destination with its source event, if the journal has it. */
  CompletionStage<Optional<Replayable>> replayable(String destinationId, String itemId) {
    return run(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT " + REPLAY_COLUMNS + ", status, is_test, replayed_as FROM journal_item WHERE item_id = ? AND destination_id = ?")) {
            select.setString(1, itemId);
            select.setString(2, destinationId);
            try (ResultSet rows = select.executeQuery()) {
              if (!rows.next()) {
                return Optional.empty();
              }
              return Optional.of(
                  new Replayable(
                      ActionStatus.fromWire(rows.getString("status")).orElseThrow(),
                      rows.getBoolean("is_test"),
                      rows.getString("replayed_as"),
                      replayOf(rows)));
            }
          }
        });
  }

  /**
   * What a redrive covers, fixed when it starts: how many actions match, and the last journal
   * ordering among them. Actions queued later (its own replays among them) are past that bound.
   */
  record RedriveScope(long count, long lastSeq) {}

  /** A page of a redrive, oldest first, and where it ended. */
  record RedrivePage(List<DestinationCommand.ReplayOf> items, Cursor last) {}

  CompletionStage<RedriveScope> redriveScope(String destinationId, ActionLogQuery query) {
    return run(
        connection -> {
          Sql sql = redriveSql("COUNT(*), MAX(seq)", destinationId, query, Long.MAX_VALUE);
          try (PreparedStatement select = prepare(connection, sql); ResultSet rows = select.executeQuery()) {
            rows.next();
            return new RedriveScope(rows.getLong(1), rows.getLong(2));
          }
        });
  }

  /**
   * The next {@code limit} actions of a redrive after {@code after}, keyset on (queued_at, seq)
   * ascending: an action is on one page only, whatever changes between pages.
   */
  CompletionStage<RedrivePage> redrivePage(
      String destinationId, ActionLogQuery query, RedriveScope scope, Optional<Cursor> after, int limit) {
    return run(
        connection -> {
          Sql sql = redriveSql(REPLAY_COLUMNS + ", queued_at, seq", destinationId, query, scope.lastSeq());
          StringBuilder text = new StringBuilder(sql.text());
          List<Object> params = new ArrayList<>(sql.params());
          after.ifPresent(
              c -> {
                text.append(" AND queued_at >= ? AND (queued_at > ? OR seq > ?)");
                params.add(c.queuedAt());
                params.add(c.queuedAt());
                params.add(c.seq());
              });
          text.append(" ORDER BY destination_id, ");
          if (sql.indexed() != null) {
            text.append(sql.indexed()).append(", ");
          }
          text.append("queued_at, seq LIMIT ?");
          params.add(limit);
          List<DestinationCommand.ReplayOf> items = new ArrayList<>(limit);
          Cursor last = null;
          try (PreparedStatement select = prepare(connection, new Sql(text.toString(), params, null));
              ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              items.add(replayOf(rows));
              last = new Cursor(rows.getLong("queued_at"), rows.getLong("seq"));
            }
          }
          return new RedrivePage(items, last);
        });
  }

  /**
   * The actions a redrive replays: the query's, never test calls, and none replayed already (by an
   * earlier redrive or retry: its replay is what a later redrive picks up, if that failed too).
   */
  private static Sql redriveSql(String columns, String destinationId, ActionLogQuery query, long lastSeq) {
    StringBuilder sql = new StringBuilder("SELECT ").append(columns).append(" FROM journal_item WHERE destination_id = ?");
    List<Object> params = new ArrayList<>();
    params.add(destinationId);
    String indexed = filters(sql, params, query);
    sql.append(" AND is_test = FALSE AND replayed_as IS NULL AND seq <= ?");
    params.add(lastSeq);
    return new Sql(sql.toString(), params, indexed);
  }

  private static final String REPLAY_COLUMNS = "item_id, action_id, source_id, event_json";

  private DestinationCommand.ReplayOf replayOf(ResultSet rows) throws SQLException {
    return new DestinationCommand.ReplayOf(
        rows.getString("item_id"),
        rows.getString("action_id"),
        rows.getString("source_id"),
        (ObjectNode) parse(rows.getString("event_json")));
  }

  private static PreparedStatement prepare(Connection connection, Sql sql) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql.text());
    for (int i = 0; i < sql.params().size(); i++) {
      statement.setObject(i + 1, sql.params().get(i));
    }
    return statement;
  }

  private interface Query<T> {
    T run(Connection connection) throws SQLException;
  }

  private <T> CompletionStage<T> run(Query<T> query) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection connection = dataSource.getConnection()) {
            try {
              return query.run(connection);
            } finally {
              connection.rollback(); // read only: end the transaction the pool opened
            }
          } catch (SQLException e) {
            throw new IllegalStateException("read-side query failed: " + e.getMessage(), e);
          }
        },
        executor);
  }

  /** A statement and its parameters. */
  record Sql(String text, List<Object> params, String indexed) {
    Sql(String text, List<Object> params) {
      this(text, params, null);
    }
  }

  /** The query of a journal page: keyset on (queued_at, seq), newest first, one index per filter. */
  static Sql listSql(String destinationId, ActionLogQuery query) {
    StringBuilder sql = new StringBuilder("SELECT ").append(ITEM_COLUMNS).append(" FROM journal_item WHERE destination_id = ?");
    List<Object> params = new ArrayList<>();
    params.add(destinationId);
    String indexed = filters(sql, params, query);
    query.cursor().ifPresent(
        c -> {
          // The first bound lets the database seek the index; the second is the exact keyset.
          sql.append(" AND queued_at <= ? AND (queued_at < ? OR seq < ?)");
          params.add(c.queuedAt());
          params.add(c.queuedAt());
          params.add(c.seq());
        });
    // Ordering by the index's equality columns too changes nothing in the result, but lets H2 see
    // that reading the index backwards gives the order, so it reads only the page.
    sql.append(" ORDER BY destination_id DESC, ");
    if (indexed != null) {
      sql.append(indexed).append(" DESC, ");
    }
    sql.append("queued_at DESC, seq DESC LIMIT ?");
    params.add(query.limit() + 1);
    return new Sql(sql.toString(), params);
  }


  /**
   * Appends the query's filters (not its cursor) to {@code sql}; returns the column of the index the
   * most selective filter picks, or null.
   */
  private static String filters(StringBuilder sql, List<Object> params, ActionLogQuery query) {
    // The most selective filter picks the index: messageId, userId, event name, type, status.
    String indexed = null;
    if (query.status().isPresent()) {
      indexed = condition(sql, params, "status", query.status().get().wireName());
    }
    if (query.eventType().isPresent()) {
      indexed = condition(sql, params, "event_type", query.eventType().get());
    }
    if (query.event().isPresent()) {
      indexed = condition(sql, params, "event_name", query.event().get());
    }
    if (query.userId().isPresent()) {
      indexed = condition(sql, params, "user_id", query.userId().get());
    }
    if (query.messageId().isPresent()) {
      indexed = condition(sql, params, "message_id", query.messageId().get());
    }
    query.from().ifPresent(f -> {
      sql.append(" AND queued_at >= ?");
      params.add(f.toEpochMilli());
    });
    query.to().ifPresent(t -> {
      sql.append(" AND queued_at < ?");
      params.add(t.toEpochMilli());
    });
    return indexed;
  }

  private Page list(Connection connection, String destinationId, ActionLogQuery query) throws SQLException {
    Sql sql = listSql(destinationId, query);
    List<Item> items = new ArrayList<>();
    Cursor last = null;
    boolean more = false;
    try (PreparedStatement select = prepare(connection, sql)) {
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          if (items.size() == query.limit()) {
            more = true;
            break;
          }
          items.add(item(rows));
          last = new Cursor(rows.getLong("queued_at"), rows.getLong("seq"));
        }
      }
    }
    return new Page(items, more ? last.encode() : null);
  }

  private static String condition(StringBuilder sql, List<Object> params, String column, Object value) {
    sql.append(" AND ").append(column).append(" = ?");
    params.add(value);
    return column;
  }

  private Optional<Detail> detail(Connection connection, String destinationId, String itemId) throws SQLException {
    Item item;
    JsonNode event;
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT " + ITEM_COLUMNS + ", event_json FROM journal_item WHERE item_id = ? AND destination_id = ?")) {
      select.setString(1, itemId);
      select.setString(2, destinationId);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        item = item(rows);
        event = parse(rows.getString("event_json"));
      }
    }
    List<Attempt> log = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            """
            SELECT ai.attempt, ai.outcome, ai.next_attempt_at, a.started_at, a.duration_ms, a.request_method,
              a.request_url, a.request_headers, a.request_body, a.response_status, a.response_body, a.error, a.items
            FROM journal_attempt_item ai JOIN journal_attempt a ON a.attempt_id = ai.attempt_id
            WHERE ai.item_id = ?
            ORDER BY ai.attempt_id
            """)) {
      select.setString(1, itemId);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          Integer status = rows.getObject("response_status", Integer.class);
          String body = rows.getString("response_body");
          log.add(
              new Attempt(
                  rows.getInt("attempt"),
                  UtcTimes.format(rows.getLong("started_at")),
                  rows.getLong("duration_ms"),
                  new Request(
                      rows.getString("request_method"),
                      rows.getString("request_url"),
                      parse(rows.getString("request_headers")),
                      rows.getString("request_body")),
                  status == null && body == null ? null : new Response(status, body),
                  rows.getString("outcome"),
                  rows.getString("error"),
                  UtcTimes.formatOrNull(rows.getObject("next_attempt_at", Long.class)),
                  rows.getInt("items")));
        }
      }
    }
    return Optional.of(new Detail(item, event, log));
  }

  private Counters counters(Connection connection, String destinationId, long from, long to) throws SQLException {
    List<Minute> minutes = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT minute_start, queued, delivered, failed, retried, discarded, throttled FROM journal_minute"
                + " WHERE destination_id = ? AND minute_start >= ? AND minute_start < ? ORDER BY minute_start")) {
      select.setString(1, destinationId);
      select.setLong(2, from);
      select.setLong(3, to);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          minutes.add(
              new Minute(
                  rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4), rows.getLong(5), rows.getLong(6),
                  rows.getLong(7)));
        }
      }
    }
    Map<Integer, Long> buckets = new LinkedHashMap<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT bucket, SUM(requests) FROM journal_latency"
                + " WHERE destination_id = ? AND minute_start >= ? AND minute_start < ? GROUP BY bucket")) {
      select.setString(1, destinationId);
      select.setLong(2, from);
      select.setLong(3, to);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          buckets.put(rows.getInt(1), rows.getLong(2));
        }
      }
    }
    return new Counters(minutes, buckets);
  }

  private static Item item(ResultSet rows) throws SQLException {
    return new Item(
        rows.getString("item_id"),
        rows.getString("message_id"),
        rows.getString("action_name"),
        rows.getString("action_id"),
        rows.getString("event_type"),
        rows.getString("event_name"),
        rows.getString("user_id"),
        rows.getString("status"),
        rows.getInt("attempts"),
        rows.getObject("last_status", Integer.class),
        rows.getString("last_error"),
        UtcTimes.format(rows.getLong("queued_at")),
        UtcTimes.formatOrNull(rows.getObject("last_attempt_at", Long.class)),
        UtcTimes.formatOrNull(rows.getObject("next_attempt_at", Long.class)),
        rows.getBoolean("is_test"),
        rows.getString("replay_of"),
        rows.getString("replayed_as"));
  }

  private JsonNode parse(String json) {
    try {
      return mapper.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
