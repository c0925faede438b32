package io.akb.bridge.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * Databases on the real PostgreSQL at 127.0.0.1:5432 (user and password {@code postgres}, or {@code
 * AKB_TEST_POSTGRES_URL}): each test gets its own, uniquely named, since several test runs share
 * the server.
 */
public final class TestDatabases {
  private static final String SERVER =
      System.getenv().getOrDefault("AKB_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/");

  private TestDatabases() {}

  /** Creates a new database and returns its JDBC URL with user and password. */
  public static String create(String purpose) {
    String name =
        ("akb_bridge_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 8))
            .toLowerCase(Locale.ROOT);
    try (Connection connection =
            DriverManager.getConnection(SERVER + "postgres", "postgres", "postgres");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return SERVER + name + "?user=postgres&password=postgres";
  }

  /**
   * The role and database a README example names, as its reader has them: the role (with {@code
   * password}) is created when missing, the database created anew, empty and owned by it. A run
   * before this one left its offsets there, which a fresh broker's topics (starting at 0 again)
   * would rightly fail as a gap. Tests naming the same database run one at a time (one JVM).
   */
  public static void createRoleAndDatabase(String role, String password, String database) {
    try (Connection connection =
            DriverManager.getConnection(SERVER + "postgres", "postgres", "postgres");
        Statement statement = connection.createStatement()) {
      java.sql.ResultSet roles =
          statement.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'");
      if (!roles.next()) {
        statement.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
      }
      statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      statement.execute("CREATE DATABASE " + database + " OWNER " + role);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create role and database " + database, e);
    }
  }

  /** Drops a database made by {@link #create}; connections to it are ended first. */
  public static void drop(String url) {
    String name = url.substring(SERVER.length(), url.indexOf('?'));
    try (Connection connection =
            DriverManager.getConnection(SERVER + "postgres", "postgres", "postgres");
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      // left for the next cleanup; not worth failing a test over
    }
  }
}
