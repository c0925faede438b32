package io.akb.cache;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A SQL cache in PyAirbyte's layout (ARCHITECTURE.md): one typed table per stream, {@code
 * _airbyte_streams}, {@code _airbyte_state} and AKB's table of consumed offsets. Implementations:
 * {@code DuckDbCache} (embedded, the default) and {@code PostgresCache}, chosen by {@link
 * CacheLocation}.
 *
 * <p>Lifecycle: {@link #open}, any number of {@link #begin() transactions} one at a time, {@link
 * #close()}. A DuckDB file is owned by one process while the cache is open.
 */
public interface SqlCache extends AutoCloseable {

  /** Opens (and creates when missing) the cache at a location such as {@code duckdb:PATH}. */
  static SqlCache open(CacheLocation location, CacheOptions options) {
    return CacheDialects.open(location, options);
  }

  /** Where the data is, for messages: "DuckDB file ./.cache/default_cache.duckdb". */
  String describe();

  /**
   * Starts a transaction: streams registered, rows written, state, completed syncs and offsets all
   * become visible at {@link CacheTransaction#commit()}, together, or not at all.
   */
  CacheTransaction begin();

  /**
   * The offsets a target stored with its last committed transaction: {@code topic/partition} to the
   * offset of the next record to read and the per-sync record counts applied so far.
   */
  Map<String, StoredOffset> storedOffsets(String target);

  /** Stream names that have a table, as registered in {@code _airbyte_streams}. */
  List<String> streams();

  /** Number of rows in a stream's table (the current generation for a replaced stream). */
  long count(String stream);

  /** A stream's rows as JSON objects with the original field names; close the stream after use. */
  Stream<JsonNode> rows(String stream);

  /** The last committed state per stream name ({@code null} key for GLOBAL or LEGACY state). */
  Map<String, JsonNode> states(String sourceName);

  @Override
  void close();
}
