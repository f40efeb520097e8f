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
      "i.item_id, i.message_id, i.action_name, i.action_id, i.event_type, i.event_name, i.user_id, s.status, s.attempts,"
          + " s.last_status, s.last_error, i.queued_at, s.last_attempt_at, s.next_attempt_at, i.is_test, i.seq, i.replay_of,"
          + " s.replayed_as";

  /** An action (i) with where it stands (s), by its key and destination. */
  private static final String ONE_ITEM =
      " FROM journal_item i JOIN journal_item_state s ON s.item_id = i.item_id WHERE i.item_id = ? AND i.destination_id = ?";

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
                  "SELECT " + REPLAY_COLUMNS + ", s.status, i.is_test, s.replayed_as" + ONE_ITEM)) {
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
          Sql sql = redriveSql("COUNT(*), MAX(i.seq)", destinationId, query, Long.MAX_VALUE);
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
          Sql sql = redriveSql(REPLAY_COLUMNS + ", i.queued_at, i.seq", destinationId, query, scope.lastSeq());
          StringBuilder text = new StringBuilder(sql.text());
          List<Object> params = new ArrayList<>(sql.params());
          String t = sql.scan().alias();
          after.ifPresent(
              c -> {
                text.append(" AND ").append(t).append(".queued_at >= ? AND (").append(t).append(".queued_at > ? OR ")
                    .append(t).append(".seq > ?)");
                params.add(c.queuedAt());
                params.add(c.queuedAt());
                params.add(c.seq());
              });
          text.append(" ORDER BY ").append(sql.scan().order("")).append(" LIMIT ?");
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
    StringBuilder sql = new StringBuilder("SELECT ").append(columns);
    List<Object> params = new ArrayList<>();
    Scan scan = filters(sql, params, destinationId, query);
    sql.append(" AND i.is_test = FALSE AND s.replayed_as IS NULL AND ").append(scan.alias()).append(".seq <= ?");
    params.add(lastSeq);
    return new Sql(sql.toString(), params, scan);
  }

  private static final String REPLAY_COLUMNS = "i.item_id, i.action_id, i.source_id, i.event_json";

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

  /** A statement and its parameters, and how it reads the journal's actions. */
  record Sql(String text, List<Object> params, Scan scan) {
    Sql(String text, List<Object> params) {
      this(text, params, null);
    }
  }

  /**
   * The table a query reads along an index, the other joined to it by key: {@code alias} is {@code
   * i} (journal_item) or {@code s} (journal_item_state, for the status filter), {@code indexed} the
   * filtered column of the index after the destination, or null for the time index.
   */
  record Scan(String alias, String indexed) {

    /** The index's columns in order, each followed by {@code direction}. */
    String order(String direction) {
      StringBuilder order = new StringBuilder(alias).append(".destination_id").append(direction).append(", ");
      if (indexed != null) {
        order.append(alias).append('.').append(indexed).append(direction).append(", ");
      }
      return order.append(alias).append(".queued_at").append(direction).append(", ").append(alias).append(".seq")
          .append(direction).toString();
    }
  }

  /** The query of a journal page: keyset on (queued_at, seq), newest first, one index per filter. */
  static Sql listSql(String destinationId, ActionLogQuery query) {
    StringBuilder sql = new StringBuilder("SELECT ").append(ITEM_COLUMNS);
    List<Object> params = new ArrayList<>();
    Scan scan = filters(sql, params, destinationId, query);
    String t = scan.alias();
    query.cursor().ifPresent(
        c -> {
          // The first bound lets the database seek the index; the second is the exact keyset.
          sql.append(" AND ").append(t).append(".queued_at <= ? AND (").append(t).append(".queued_at < ? OR ")
              .append(t).append(".seq < ?)");
          params.add(c.queuedAt());
          params.add(c.queuedAt());
          params.add(c.seq());
        });
    // Ordering by the index's equality columns too changes nothing in the result, but lets H2 see
    // that reading the index backwards gives the order, so it reads only the page.
    sql.append(" ORDER BY ").append(scan.order(" DESC")).append(" LIMIT ?");
    params.add(query.limit() + 1);
    return new Sql(sql.toString(), params, scan);
  }


  /**
   * Appends the tables and the query's filters (not its cursor) to {@code sql}; returns how they are
   * read. The most selective filter picks the index: messageId, userId, event name, type, status.
   * The table of that index comes first and the other is outer-joined to it (every action has its
   * row in both), so that H2, which keeps the order of an outer join, reads that index too.
   */
  private static Scan filters(StringBuilder sql, List<Object> params, String destinationId, ActionLogQuery query) {
    Scan scan;
    if (query.messageId().isPresent()) {
      scan = new Scan("i", "message_id");
    } else if (query.userId().isPresent()) {
      scan = new Scan("i", "user_id");
    } else if (query.event().isPresent()) {
      scan = new Scan("i", "event_name");
    } else if (query.eventType().isPresent()) {
      scan = new Scan("i", "event_type");
    } else if (query.status().isPresent()) {
      scan = new Scan("s", "status");
    } else {
      scan = new Scan("i", null);
    }
    sql.append(
        scan.alias().equals("s")
            ? " FROM journal_item_state s LEFT JOIN journal_item i ON i.item_id = s.item_id"
            : " FROM journal_item i LEFT JOIN journal_item_state s ON s.item_id = i.item_id");
    String t = scan.alias();
    sql.append(" WHERE ").append(t).append(".destination_id = ?");
    params.add(destinationId);
    query.status().ifPresent(status -> condition(sql, params, "s.status", status.wireName()));
    query.eventType().ifPresent(type -> condition(sql, params, "i.event_type", type));
    query.event().ifPresent(event -> condition(sql, params, "i.event_name", event));
    query.userId().ifPresent(userId -> condition(sql, params, "i.user_id", userId));
    query.messageId().ifPresent(messageId -> condition(sql, params, "i.message_id", messageId));
    query.from().ifPresent(f -> {
      sql.append(" AND ").append(t).append(".queued_at >= ?");
      params.add(f.toEpochMilli());
    });
    query.to().ifPresent(to -> {
      sql.append(" AND ").append(t).append(".queued_at < ?");
      params.add(to.toEpochMilli());
    });
    return scan;
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

  private static void condition(StringBuilder sql, List<Object> params, String column, Object value) {
    sql.append(" AND ").append(column).append(" = ?");
    params.add(value);
  }

  private Optional<Detail> detail(Connection connection, String destinationId, String itemId) throws SQLException {
    Item item;
    JsonNode event;
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT " + ITEM_COLUMNS + ", i.event_json" + ONE_ITEM)) {
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
