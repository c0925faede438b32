package io.akb.cache;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.arrow.ArrowExport;
import io.akb.cache.jdbc.JdbcSqlCache;
import io.akb.runtime.CachedDataset;
import io.akb.runtime.Document;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * One stream of a SQL cache, PyAirbyte's {@code cache["users"]}: its rows (data fields and the
 * {@code _airbyte_*} columns), its count, and exports: Apache Arrow (a file, in-memory batches or a
 * reader), {@link Document}s, and for SQL users its table's name and a JDBC {@link ResultSet}.
 * Reads see committed data only; each call reads the table afresh.
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

  /**
   * The rows as an Arrow reader, pulled a batch of up to {@code batchRows} rows at a time ({@link
   * ArrowReader#loadNextBatch()}, then its {@link ArrowReader#getVectorSchemaRoot() root}), with
   * the types of {@link ArrowExport}; for handing on, such as through Arrow's C data interface.
   * Close it (try-with-resources): it holds a connection to the cache until then.
   */
  public ArrowReader toArrowReader(BufferAllocator allocator, int batchRows) {
    return ArrowExport.reader(cache, streamName, allocator, batchRows);
  }

  /**
   * The records as documents for LLM pipelines, PyAirbyte's {@code to_documents}: each record's
   * fields (without the {@code _airbyte_*} columns; a field the cache holds as NULL is left out),
   * its id from the stream's primary key, its last-modified time its {@code _airbyte_extracted_at},
   * in the cache's order (extraction time, then raw id). Close the stream after use.
   *
   * @param titleProperty the property that titles each document, or null
   * @param contentProperties the properties rendered as the body; null: every property
   * @param metadataProperties the properties kept as metadata; null: every property not in the body
   *     or title
   * @param renderMetadata whether the metadata also heads each document's content, as a {@code ---}
   *     block (PyAirbyte's {@code render_metadata}, off by default there)
   */
  public Stream<Document> toDocuments(
      String titleProperty,
      List<String> contentProperties,
      List<String> metadataProperties,
      boolean renderMetadata) {
    List<List<String>> primaryKey = cache.configuredStream(streamName).primaryKey();
    return cache
        .records(streamName, null)
        .map(
            record ->
                Document.fromData(
                    record.data(),
                    record.position().extractedAt(),
                    primaryKey == null ? List.of() : primaryKey,
                    titleProperty,
                    contentProperties,
                    metadataProperties,
                    renderMetadata));
  }

  /**
   * The stream's table name, unquoted (PyAirbyte's {@code to_sql_table().name}): the table the
   * cache's current rows are in. Its prefix and schema are the cache's options.
   */
  public String tableName() {
    return cache.tableName(streamName);
  }

  /**
   * The stream's table as SQL names it, schema-qualified and quoted ({@code "main"."users"}), for
   * queries of one's own on {@link SqlCache#openConnection()}.
   */
  public String sqlTable() {
    return cache.sqlTable(streamName);
  }

  /**
   * Every row of the stream's table through JDBC ({@code SELECT * FROM} {@link #sqlTable()}): the
   * table's columns with their SQL types (data columns, {@code _airbyte_raw_id}, {@code
   * _airbyte_extracted_at}, {@code _airbyte_meta}). Close it (try-with-resources): that also closes
   * the statement and connection opened for it.
   */
  public ResultSet resultSet() {
    return cache.resultSet(streamName);
  }
}
