package io.akb.deploy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * What the deployment tests take from the host: free ports on 127.0.0.1, databases on the test
 * PostgreSQL (run-tests starts it; {@code AKB_TEST_POSTGRES_URL} names another), and the venvs
 * directory connectors in the images install into, kept between runs.
 */
final class TestHost {
  /** The test PostgreSQL's JDBC URL up to the database name. */
  static final String POSTGRES_SERVER =
      System.getenv().getOrDefault("AKB_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/");

  private TestHost() {}

  static Path containerVenvs() throws IOException {
    return Files.createDirectories(
        Path.of(System.getProperty("user.home"), ".cache", "akb", "container-venvs"));
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** A fresh database named {@code prefix} and a random suffix; its JDBC URL with credentials. */
  static String createDatabase(String prefix) throws SQLException {
    String name = prefix + UUID.randomUUID().toString().substring(0, 8);
    try (Connection connection =
            DriverManager.getConnection(POSTGRES_SERVER + "postgres", "postgres", "postgres");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
    return POSTGRES_SERVER + name + "?user=postgres&password=postgres";
  }

  static void dropDatabase(String url) {
    String name = url.substring(POSTGRES_SERVER.length(), url.indexOf('?'));
    try (Connection connection =
            DriverManager.getConnection(POSTGRES_SERVER + "postgres", "postgres", "postgres");
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      // left behind; its unique name keeps it out of every other test's way
    }
  }
}
