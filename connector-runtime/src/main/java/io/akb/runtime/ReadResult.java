package io.akb.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Source#read(Cache)} did, PyAirbyte's {@code ReadResult}: records read per stream,
 * the state the cache now holds, and each stream's records as the cache holds them.
 *
 * @param sourceName the source that was read
 * @param recordsRead records read in this run, per stream name
 * @param finalState the state stored at the end (a JSON array of STATE payloads), or null
 * @param datasets each stream's records in the cache, per stream name
 * @param cache the cache read into, for {@link Destination#write(ReadResult)}; null when the read
 *     went into a cache that cannot be read back in order
 */
public record ReadResult(
    String sourceName,
    Map<String, Long> recordsRead,
    JsonNode finalState,
    Map<String, CachedDataset> datasets,
    ReadableCache cache) {

  public ReadResult {
    recordsRead = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(recordsRead));
    datasets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(datasets));
  }

  /** A read into a cache that cannot be read back in order (a Kafka cache, an in-memory one). */
  public ReadResult(
      String sourceName,
      Map<String, Long> recordsRead,
      JsonNode finalState,
      Map<String, CachedDataset> datasets) {
    this(sourceName, recordsRead, finalState, datasets, null);
  }

  /** Records read in this run, all streams together. */
  public long totalRecordsRead() {
    return recordsRead.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The names of the streams that were read. */
  public List<String> streams() {
    return List.copyOf(datasets.keySet());
  }

  /**
   * One stream's records in the cache.
   *
   * @throws AkbException naming the streams there are when this one was not read
   */
  public CachedDataset get(String stream) {
    CachedDataset dataset = datasets.get(stream);
    if (dataset == null) {
      throw new AkbException(
          "getting stream " + stream + " of the read of " + sourceName,
          "the read did not include it",
          "Streams read: " + String.join(", ", datasets.keySet()) + ".");
    }
    return dataset;
  }
}
