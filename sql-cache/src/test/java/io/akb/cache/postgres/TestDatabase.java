package io.akb.cache.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A uniquely named database on the test PostgreSQL server, created and dropped by one test class.
 */
public final class TestDatabase {
  private static final String SERVER =
      System.getenv().getOrDefault("PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
  private static final String USER = System.getenv().getOrDefault("PG_USER", "postgres");
  private static final String PASSWORD = System.getenv().getOrDefault("PG_PASSWORD", "postgres");

  private final String name;

  private TestDatabase(String name) {
    this.name = name;
  }

  /** Creates {@code <prefix>_<random>}. */
  public static TestDatabase create(String prefix) throws SQLException {
    String name =
        (prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12))
            .toLowerCase(Locale.ROOT);
    try (Connection admin = DriverManager.getConnection(SERVER + "postgres", USER, PASSWORD);
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
    return new TestDatabase(name);
  }

  public String jdbcUrl() {
    return SERVER + name + "?user=" + USER + "&password=" + PASSWORD;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(SERVER + name, USER, PASSWORD);
  }

  /** Drops and recreates the public schema, so the next test starts empty. */
  public void resetSchema() throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA public CASCADE");
      statement.execute("CREATE SCHEMA public");
    }
  }

  public void drop() throws SQLException {
    try (Connection admin = DriverManager.getConnection(SERVER + "postgres", USER, PASSWORD);
        Statement statement = admin.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}
