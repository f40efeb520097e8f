package dev.relay.readside;

import dev.relay.testing.TestNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Direct looks at the read side's tables, for what the API does not show (row counts, dumps). */
final class ReadSideTables {

  private static final List<String> DUMPS =
      List.of(
          "SELECT * FROM journal_destination WHERE destination_id = ? ORDER BY destination_id",
          "SELECT * FROM journal_item WHERE destination_id = ? ORDER BY item_id",
          "SELECT * FROM journal_item_state WHERE destination_id = ? ORDER BY item_id",
          "SELECT * FROM journal_attempt WHERE destination_id = ? ORDER BY attempt_id",
          "SELECT * FROM journal_attempt_item WHERE item_id IN (SELECT item_id FROM journal_item WHERE destination_id = ?)"
              + " ORDER BY item_id, attempt_id",
          "SELECT * FROM journal_minute WHERE destination_id = ? ORDER BY destination_id, minute_start",
          "SELECT * FROM journal_latency WHERE destination_id = ? ORDER BY destination_id, minute_start, bucket");

  private ReadSideTables() {}

  static long count(TestNode node, String sql, Object... params) {
    return node.count(sql, params);
  }

  static void execute(TestNode node, String sql) {
    try (Connection connection = node.node().database().dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
      connection.commit();
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  /** Every row of every read-side table about one destination, as text, in a fixed order. */
  static List<String> dump(TestNode node, String destinationId) {
    List<String> lines = new ArrayList<>();
    try (Connection connection = node.node().database().dataSource().getConnection()) {
      for (String sql : DUMPS) {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
          select.setString(1, destinationId);
          try (ResultSet rows = select.executeQuery()) {
            ResultSetMetaData meta = rows.getMetaData();
            while (rows.next()) {
              StringBuilder line = new StringBuilder(sql.substring(14, sql.indexOf(" WHERE")));
              for (int c = 1; c <= meta.getColumnCount(); c++) {
                line.append(" | ").append(rows.getString(c));
              }
              lines.add(line.toString());
            }
          }
        }
      }
      connection.rollback();
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
    return lines;
  }
}
