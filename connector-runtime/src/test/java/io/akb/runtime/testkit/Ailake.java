package io.akb.runtime.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.Destination;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real {@code destination-ailake} from PyPI, pinned, for tests of every module: a destination
 * that needs no service and no API key. It writes each stream as Parquet files plus Iceberg
 * metadata under {@code <lake>/<stream>/} (data in {@code <stream>/data/*.parquet}) and echoes each
 * STATE once its commit is done. Scalar record fields become Parquet columns; objects and arrays
 * are skipped with a warning. The embedder is a small offline script ({@code embed_mode: cmd}),
 * written next to the lake.
 *
 * <p>{@link #rows} reads the Parquet files back with DuckDB, through plain JDBC: a module using it
 * needs {@code org.duckdb:duckdb_jdbc} on its test class path.
 */
public final class Ailake {
  /** The connector's name in the registry. */
  public static final String NAME = "destination-ailake";

  /** The pinned PyPI version of {@code airbyte-destination-ailake}. */
  public static final String VERSION = "0.1.16";

  /** The record field the test config embeds. */
  public static final String TEXT_FIELD = "name";

  private static final String EMBED_SCRIPT = "/io/akb/runtime/testkit/ailake-embed.py";

  private Ailake() {}

  /** Options that install the pinned version (about a minute the first time). */
  public static ConnectorOptions options() {
    return ConnectorOptions.defaults().withVersion(VERSION);
  }

  /**
   * A config writing into {@link #lake(Path) dir/lake}, embedding {@link #TEXT_FIELD} with the
   * offline script (copied into {@code dir}) as 4-float vectors.
   */
  public static ObjectNode config(Path dir) {
    Path script = writeEmbedScript(dir.resolve("ailake-embed.py"));
    ObjectNode config = AirbyteJson.MAPPER.createObjectNode();
    config.put("table_base_path", lake(dir).toString());
    config.put("embed_mode", "cmd");
    config.put("embed_cmd", "python3 " + script);
    config.put("embedding_dim", 4);
    config.put("text_field", TEXT_FIELD);
    return config;
  }

  /**
   * Writes the offline embedding script ({@code python3 FILE} reads a JSON array of texts on stdin
   * and prints a 4-float vector per text) to {@code file}, for a config naming it; returns {@code
   * file}.
   */
  public static Path writeEmbedScript(Path file) {
    try (InputStream in = Ailake.class.getResourceAsStream(EMBED_SCRIPT)) {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The pinned destination with {@link #config(Path)}. */
  public static Destination destination(Path dir) {
    return Airbyte.getDestination(NAME, config(dir), options());
  }

  /** Where {@link #config(Path)} puts the tables. */
  public static Path lake(Path dir) {
    return dir.resolve("lake");
  }

  /** The glob of a stream's Parquet data files. */
  public static String parquetFiles(Path dir, String stream) {
    return lake(dir).resolve(stream).resolve("data").resolve("*.parquet").toString();
  }

  /**
   * Every row of a stream's Parquet files, column name to value (as JDBC returns it), in file
   * order; empty when the stream has no data file yet.
   */
  public static List<Map<String, Object>> rows(Path dir, String stream) {
    return query(dir, stream, "SELECT * FROM read_parquet('" + parquetFiles(dir, stream) + "')");
  }

  /** A stream's {@code id} column, sorted, duplicates kept (a doubled record shows twice). */
  public static List<Long> ids(Path dir, String stream) {
    List<Long> ids = new ArrayList<>();
    for (Map<String, Object> row :
        query(
            dir,
            stream,
            "SELECT id FROM read_parquet('" + parquetFiles(dir, stream) + "') ORDER BY id")) {
      ids.add(((Number) row.get("id")).longValue());
    }
    return ids;
  }

  private static List<Map<String, Object>> query(Path dir, String stream, String sql) {
    List<Map<String, Object>> rows = new ArrayList<>();
    Path data = lake(dir).resolve(stream).resolve("data");
    if (!Files.isDirectory(data)) {
      return rows;
    }
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet results = statement.executeQuery(sql)) {
      ResultSetMetaData meta = results.getMetaData();
      while (results.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnName(i), results.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("reading " + data + " with DuckDB: " + e.getMessage(), e);
    }
  }
}
