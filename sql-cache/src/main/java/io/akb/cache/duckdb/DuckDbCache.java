package io.akb.cache.duckdb;

import io.akb.cache.CacheOptions;
import io.akb.cache.jdbc.JdbcSqlCache;
import io.akb.runtime.AkbException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.duckdb.DuckDBConnection;

/**
 * An embedded DuckDB cache file. The file is owned by this process while the cache is open (DuckDB
 * allows one writing process); readers of the same process share it through duplicated connections.
 */
public final class DuckDbCache extends JdbcSqlCache {
  private final Path file;
  private final DuckDBConnection root;

  private DuckDbCache(Path file, DuckDBConnection root, CacheOptions options) throws SQLException {
    super(new DuckDbDialect(), options, "main", root.duplicate());
    this.file = file;
    this.root = root;
  }

  /** Opens (creating when missing) the DuckDB file at {@code path}. */
  public static DuckDbCache open(String path, CacheOptions options) {
    Path file = Path.of(path).toAbsolutePath().normalize();
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      // No TimeZone setting: it needs DuckDB's ICU extension, which the JDBC driver does not bundle
      // and cannot download here. Without ICU, DuckDB shows TIMESTAMPTZ values in UTC.
      Properties properties = new Properties();
      // rows() streams a table instead of materializing it.
      properties.setProperty("jdbc_stream_results", "true");
      // DuckDB's own default is 80% of the machine's RAM; a cache shares its process with a broker,
      // a Connect worker and the bridge, so it gets a bound (DuckDB spills beyond it to disk).
      properties.setProperty("memory_limit", setting(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT));
      // DuckDB folds its WAL into the file every 16 MB by default: with a commit per batch that
      // rewrites the table's last row groups again and again (1M records loaded 1.6x slower).
      properties.setProperty(
          "checkpoint_threshold", setting(CHECKPOINT_THRESHOLD_ENV, DEFAULT_CHECKPOINT_THRESHOLD));
      Connection connection = DriverManager.getConnection("jdbc:duckdb:" + file, properties);
      DuckDBConnection root = connection.unwrap(DuckDBConnection.class);
      return new DuckDbCache(file, root, options);
    } catch (IOException | SQLException e) {
      throw new AkbException(
          "opening the DuckDB cache " + file,
          e.getMessage(),
          String.valueOf(e.getMessage()).contains("lock")
              ? "DuckDB allows one process per file: stop the other process using it (a bridge, a"
                  + " PyAirbyte session), or pick another file."
              : "Check that the path is a writable DuckDB file.",
          e);
    }
  }

  /** A DuckDB setting from the environment variable {@code env}, else {@code fallback}. */
  private static String setting(String env, String fallback) {
    String configured = System.getenv(env);
    return configured == null || configured.isBlank() ? fallback : configured.trim();
  }

  /** The environment variable that sets DuckDB's memory limit, in DuckDB's syntax ({@code 1GB}). */
  public static final String MEMORY_LIMIT_ENV = "AKB_DUCKDB_MEMORY_LIMIT";

  static final String DEFAULT_MEMORY_LIMIT = "256MB";

  /** The environment variable that sets how large DuckDB's WAL grows before a checkpoint. */
  public static final String CHECKPOINT_THRESHOLD_ENV = "AKB_DUCKDB_CHECKPOINT_THRESHOLD";

  static final String DEFAULT_CHECKPOINT_THRESHOLD = "512MB";

  @Override
  public Connection openConnection() throws SQLException {
    return root.duplicate();
  }

  @Override
  public String describe() {
    return "DuckDB file " + file;
  }

  @Override
  public void close() {
    super.close();
    try (Statement checkpoint = root.createStatement()) {
      // Folds the WAL into the file so PyAirbyte (or another DuckDB) opens it cleanly.
      checkpoint.execute("CHECKPOINT");
    } catch (SQLException ignored) {
      // Closing the database below checkpoints as well.
    }
    try {
      root.close();
    } catch (SQLException e) {
      throw new AkbException("closing " + describe(), e.getMessage(), null, e);
    }
  }
}
