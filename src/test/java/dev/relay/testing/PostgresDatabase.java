package dev.relay.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh PostgreSQL database on 127.0.0.1:5432 for one test class, dropped afterwards. When the
 * server cannot be reached the test is skipped with a loud message on the console, except under CI
 * (any non-empty {@code CI}), where it fails: CI must never pass by skipping the PostgreSQL half.
 */
public final class PostgresDatabase implements AutoCloseable {

  public static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
  public static final String USER = "postgres";

  private final String name;

  private PostgresDatabase(String name) {
    this.name = name;
  }

  public static PostgresDatabase create() {
    String name = "relay_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    try (Connection admin = DriverManager.getConnection(SERVER + "postgres", USER, "");
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      unreachable(e);
    }
    return new PostgresDatabase(name);
  }

  private static void unreachable(SQLException e) {
    Skips.skipUnlessCi("PostgreSQL tests", "PostgreSQL on 127.0.0.1:5432 is not reachable (" + e.getMessage() + ")");
  }

  public String url() {
    return SERVER + name;
  }

  public String name() {
    return name;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), USER, "");
  }

  @Override
  public void close() {
    try (Connection admin = DriverManager.getConnection(SERVER + "postgres", USER, "");
        Statement statement = admin.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop test database " + name, e);
    }
  }
}
