package io.akb.cache.postgres;

import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.jdbc.JdbcSqlCache;
import io.akb.runtime.AkbException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** A PostgreSQL cache, reached through a JDBC URL or a {@code postgresql://} URL. */
public final class PostgresCache extends JdbcSqlCache {
  private final String url;
  private final Properties properties;

  private PostgresCache(String url, Properties properties, CacheOptions options)
      throws SQLException {
    super(new PostgresDialect(), options, "public", connect(url, properties));
    this.url = url;
    this.properties = properties;
  }

  /**
   * Opens the cache at {@code jdbc:postgresql://host:port/db?user=..&password=..} or {@code
   * postgresql://user:password@host:port/db}.
   */
  public static PostgresCache open(String location, CacheOptions options) {
    Properties properties = new Properties();
    String url = jdbcUrl(location, properties);
    try {
      return new PostgresCache(url, properties, options);
    } catch (SQLException e) {
      throw new AkbException(
          "opening the PostgreSQL cache " + CacheLocation.withoutPassword(url),
          e.getMessage(),
          "Check the URL, that the database exists and that the user may create tables in it.",
          e);
    }
  }

  private static Connection connect(String url, Properties properties) throws SQLException {
    Properties withTimeZone = new Properties();
    withTimeZone.putAll(properties);
    // Timestamps without zone are read as UTC, as in DuckDB caches.
    withTimeZone.setProperty("options", "-c TimeZone=UTC");
    if (isLoopback(url)
        && !url.toLowerCase(java.util.Locale.ROOT).contains("sslmode=")
        && !properties.containsKey("sslmode")) {
      // pgjdbc's default (prefer) encrypts a connection that never leaves the machine: a tenth of
      // a bulk load's time went to TLS. Any sslmode the user gives is kept.
      withTimeZone.setProperty("sslmode", "disable");
    }
    return DriverManager.getConnection(url, withTimeZone);
  }

  /** Whether every host of a JDBC URL is this machine (localhost, 127.0.0.0/8, ::1). */
  static boolean isLoopback(String url) {
    java.util.regex.Matcher hosts =
        java.util.regex.Pattern.compile("^jdbc:postgresql://([^/?]*)").matcher(url);
    if (!hosts.find() || hosts.group(1).isEmpty()) {
      return false;
    }
    for (String hostPort : hosts.group(1).split(",")) {
      String host =
          hostPort.startsWith("[")
              ? hostPort.substring(1, Math.max(1, hostPort.indexOf(']')))
              : hostPort.replaceFirst(":\\d*$", "");
      if (!(host.equals("localhost") || host.startsWith("127.") || host.equals("::1"))) {
        return false;
      }
    }
    return true;
  }

  /**
   * A JDBC URL from either form, moving user and password of a {@code postgresql://} URL into
   * properties.
   */
  static String jdbcUrl(String location, Properties properties) {
    String value = location.trim();
    if (value.startsWith("jdbc:postgresql:")) {
      return value;
    }
    if (value.startsWith("postgresql://") || value.startsWith("postgres://")) {
      URI uri = URI.create(value);
      if (uri.getRawUserInfo() != null) {
        String[] parts = uri.getRawUserInfo().split(":", 2);
        properties.setProperty("user", URLDecoder.decode(parts[0], StandardCharsets.UTF_8));
        if (parts.length > 1) {
          properties.setProperty("password", URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
        }
      }
      String hostPort = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
      String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
      return "jdbc:postgresql://" + hostPort + uri.getRawPath() + query;
    }
    throw new AkbException(
        "reading the PostgreSQL cache location",
        "'"
            + CacheLocation.withoutPassword(value)
            + "' is neither a jdbc:postgresql: nor a postgresql:// URL",
        "Use postgres:jdbc:postgresql://HOST:PORT/DB?user=U&password=P or postgres:postgresql://U:P@HOST:PORT/DB.");
  }

  @Override
  public Connection openConnection() throws SQLException {
    return connect(url, properties);
  }

  @Override
  public String describe() {
    return "PostgreSQL database " + CacheLocation.withoutPassword(url);
  }
}
