package io.akb.cache;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.read.SourceReadLoader;
import io.akb.runtime.Cache;
import io.akb.runtime.MessageStream;
import io.akb.runtime.ReadResult;
import io.akb.runtime.ReadableCache;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
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
 *
 * <p>Also a {@link Cache} of the Java API: {@code source.read(sqlCache)} reads a source straight
 * into it, resuming incremental streams from the state it holds (see {@link SourceReadLoader}); and
 * a {@link ReadableCache}: {@code destination.write(sqlCache)} sends its streams to a destination.
 */
public interface SqlCache extends Cache, ReadableCache, AutoCloseable {

  /** Opens (and creates when missing) the cache at a location such as {@code duckdb:PATH}. */
  static SqlCache open(CacheLocation location, CacheOptions options) {
    return CacheDialects.open(location, options);
  }

  /** Where the data is, for messages: "DuckDB file ./.cache/default_cache.duckdb". */
  @Override
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

  /** The records {@code target} found gone from Kafka and skipped, oldest first. */
  List<SkippedRecords> skippedRecords(String target);

  /** Stream names that have a table, as registered in {@code _airbyte_streams}. */
  @Override
  List<String> streams();

  /**
   * A stream's dataset, PyAirbyte's {@code cache["users"]}: rows, count, Arrow export.
   *
   * @throws io.akb.runtime.AkbException naming the streams there are, when the cache has no such
   *     stream
   */
  SqlCacheDataset dataset(String stream);

  /** Every stream's dataset by stream name, PyAirbyte's {@code cache.streams}. */
  default Map<String, SqlCacheDataset> datasets() {
    Map<String, SqlCacheDataset> datasets = new LinkedHashMap<>();
    streams().forEach(stream -> datasets.put(stream, dataset(stream)));
    return datasets;
  }

  /**
   * A new JDBC connection to the cache's database, for SQL of one's own (a dataset's {@link
   * SqlCacheDataset#sqlTable()} names its table); it sees committed data only. The caller closes
   * it. A DuckDB file cannot be opened twice by one process: this is how to query one that is open.
   */
  Connection openConnection() throws SQLException;

  /** Number of rows in a stream's table (the current generation for a replaced stream). */
  long count(String stream);

  /** A stream's rows as JSON objects with the original field names; close the stream after use. */
  Stream<JsonNode> rows(String stream);

  /** The last committed state per stream name ({@code null} key for GLOBAL or LEGACY state). */
  Map<String, JsonNode> states(String sourceName);

  /** The stored states of {@code sourceName} as a JSON array of STATE payloads, or null. */
  @Override
  default JsonNode state(String sourceName) {
    return new SourceReadLoader(this, SourceReadLoader.DEFAULT_BATCH_RECORDS).state(sourceName);
  }

  /** Loads a source's read into this cache; see {@link SourceReadLoader}. */
  @Override
  default ReadResult write(
      Source source, ConfiguredAirbyteCatalog catalog, MessageStream messages) {
    return new SourceReadLoader(this, SourceReadLoader.DEFAULT_BATCH_RECORDS)
        .load(source.name(), catalog, messages);
  }

  @Override
  void close();
}
