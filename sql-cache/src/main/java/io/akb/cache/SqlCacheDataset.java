package io.akb.cache;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.arrow.ArrowExport;
import io.akb.cache.jdbc.JdbcSqlCache;
import io.akb.runtime.CachedDataset;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One stream of a SQL cache, PyAirbyte's {@code cache["users"]}: its rows (data fields and the
 * {@code _airbyte_*} columns), its count, and Apache Arrow exports. Reads see committed data only;
 * each call reads the table afresh.
 */
public final class SqlCacheDataset implements CachedDataset {
  private final JdbcSqlCache cache;
  private final String streamName;

  public SqlCacheDataset(JdbcSqlCache cache, String streamName) {
    this.cache = cache;
    this.streamName = streamName;
  }

  @Override
  public String streamName() {
    return streamName;
  }

  @Override
  public long count() {
    return cache.count(streamName);
  }

  /**
   * The rows as JSON objects: the stream's fields, then {@code _airbyte_raw_id}, {@code
   * _airbyte_extracted_at} and {@code _airbyte_meta}. Close the stream after use.
   */
  @Override
  public Stream<JsonNode> records() {
    return cache.rows(streamName);
  }

  /**
   * Writes the rows as an Arrow IPC file (PyAirbyte's {@code to_arrow}, for PyArrow, pandas,
   * Polars, DuckDB); see {@link ArrowExport} for the types. Returns the number of rows.
   */
  public long toArrowFile(Path file) {
    return ArrowExport.writeFile(cache, streamName, file);
  }

  /**
   * Hands the rows to {@code batches} as Arrow record batches of up to {@code batchRows} rows, in
   * memory from {@code allocator}; the root is reused between calls. Returns the number of rows.
   */
  public long toArrowBatches(
      BufferAllocator allocator, int batchRows, Consumer<VectorSchemaRoot> batches) {
    return ArrowExport.forEachBatch(cache, streamName, allocator, batchRows, batches);
  }
}
