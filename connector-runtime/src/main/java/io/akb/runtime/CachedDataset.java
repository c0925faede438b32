package io.akb.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;

/**
 * One stream's records as a cache holds them, PyAirbyte's {@code CachedDataset}: rows to iterate
 * and count. Implemented by each {@link Cache}.
 */
public interface CachedDataset {

  /** The stream's name. */
  String streamName();

  /** How many records the cache holds for the stream. */
  long count();

  /**
   * The records, each a JSON object of the stream's fields. A SQL cache's rows ({@code
   * SqlCacheDataset}) also carry {@code _airbyte_raw_id}, {@code _airbyte_extracted_at} and {@code
   * _airbyte_meta} after them, as PyAirbyte's datasets do; a Kafka cache's records are the data
   * only. Lazy: close the stream (try-with-resources) to release the cache's cursor.
   */
  Stream<JsonNode> records();
}
