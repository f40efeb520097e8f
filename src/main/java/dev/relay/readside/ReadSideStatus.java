package dev.relay.readside;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the read side can say about itself from the database: for each tag, how far the journal has
 * gone and where the projection's offset stands; and how much disk the database takes. Every
 * statement is bounded by an index range or a fixed limit and has a query timeout.
 */
final class ReadSideStatus {

  /** One tag: its newest journal ordering, the projection's offset, and what lies between. */
  record TagPosition(
      String tag, long journalOrdering, long projectedOffset, long eventsBehind, Optional<Long> oldestUnprojectedAt) {}

  /**
   * The database's size on disk ({@code fileBytes}) and what its tables hold ({@code dataBytes}):
   * H2's own estimate of each table's pages, or PostgreSQL's relation sizes.
   */
  record Storage(String database, long fileBytes, long dataBytes) {
    public double ratio() {
      return dataBytes == 0 ? 0 : Math.round(fileBytes * 100.0 / dataBytes) / 100.0;
    }
  }

  /** Counting stops here: the figure then reads "at least". */
  static final long MAX_COUNTED = 10_000_000;

  private static final String NEWEST = "SELECT MAX(\"event_id\") FROM \"event_tag\" WHERE \"tag\" = ?";
  private static final String OFFSET =
      "SELECT \"current_offset\" FROM \"pekko_projection_offset_store\" WHERE \"projection_name\" = ? AND \"projection_key\" = ?";
  private static final String BEHIND =
      "SELECT COUNT(*) FROM (SELECT 1 FROM \"event_tag\" WHERE \"tag\" = ? AND \"event_id\" > ? LIMIT " + MAX_COUNTED + ") b";
  private static final String OLDEST_UNPROJECTED =
      "SELECT j.\"write_timestamp\" FROM \"event_tag\" t JOIN \"event_journal\" j ON j.\"ordering\" = t.\"event_id\""
          + " WHERE t.\"tag\" = ? AND t.\"event_id\" > ? ORDER BY t.\"event_id\" LIMIT 1";

  private ReadSideStatus() {}

  static List<TagPosition> positions(Connection connection, List<String> tags, int timeoutSeconds) throws SQLException {
    List<TagPosition> positions = new ArrayList<>(tags.size());
    for (String tag : tags) {
      long newest = longOf(connection, NEWEST, timeoutSeconds, tag).orElse(0L);
      long offset =
          stringOf(connection, OFFSET, timeoutSeconds, ActionLogProjection.NAME, tag).map(Long::parseLong).orElse(0L);
      long behind = newest > offset ? longOf(connection, BEHIND, timeoutSeconds, tag, offset).orElse(0L) : 0;
      Optional<Long> oldest =
          behind > 0 ? longOf(connection, OLDEST_UNPROJECTED, timeoutSeconds, tag, offset) : Optional.empty();
      positions.add(new TagPosition(tag, newest, offset, behind, oldest));
    }
    return positions;
  }

  static Storage storage(Connection connection, boolean postgres, Path h2File, int timeoutSeconds) throws SQLException {
    long file = fileBytes(connection, postgres, h2File, timeoutSeconds);
    if (postgres) {
      long data =
          longOf(
                  connection,
                  "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                      + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                      + " WHERE c.relkind = 'r' AND n.nspname = current_schema()",
                  timeoutSeconds)
              .orElse(0L);
      return new Storage("postgresql", file, data);
    }
    long data = 0;
    List<String> tables = new ArrayList<>();
    try (Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(timeoutSeconds);
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_TYPE = 'BASE TABLE'")) {
        while (rows.next()) {
          tables.add(rows.getString(1));
        }
      }
    }
    for (String table : tables) {
      // The table with its indexes, as pg_total_relation_size counts them on PostgreSQL
      // (DISK_SPACE_USED is the table's rows alone).
      data += longOf(connection, "SELECT DB_OBJECT_TOTAL_SIZE('TABLE', 'PUBLIC', ?)", timeoutSeconds, table).orElse(0L);
    }
    return new Storage("h2", file, data);
  }

  /** The database's size on disk: the H2 file, or PostgreSQL's database; 0 if it cannot be read. */
  static long fileBytes(Connection connection, boolean postgres, Path h2File, int timeoutSeconds) throws SQLException {
    if (postgres) {
      return longOf(connection, "SELECT pg_database_size(current_database())", timeoutSeconds).orElse(0L);
    }
    try {
      return Files.size(h2File);
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private static Optional<Long> longOf(Connection connection, String sql, int timeoutSeconds, Object... params)
      throws SQLException {
    return stringOf(connection, sql, timeoutSeconds, params).map(Long::parseLong);
  }

  private static Optional<String> stringOf(Connection connection, String sql, int timeoutSeconds, Object... params)
      throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      select.setQueryTimeout(timeoutSeconds);
      for (int i = 0; i < params.length; i++) {
        select.setObject(i + 1, params[i]);
      }
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? Optional.ofNullable(rows.getString(1)) : Optional.empty();
      }
    }
  }
}
