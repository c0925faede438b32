package io.akb.cache.load;

import io.akb.cache.CacheRecord;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a {@link CacheLoader} writes in its next transaction: streams to register, records grouped
 * per stream in arrival order, and how big it has grown (records and value bytes), so the loader
 * bounds its memory by writing it before it grows past the caller's limits.
 */
final class LoadBatch {
  /** A stream to register before any record is written. */
  record Registration(
      String sourceName, ConfiguredAirbyteStream stream, WriteStrategy strategy, String syncId) {}

  /** Where a group of records goes. */
  record StreamKey(String sourceName, String stream) {}

  private final List<Registration> registrations = new ArrayList<>();
  private final Map<StreamKey, List<CacheRecord>> records = new LinkedHashMap<>();
  private final Set<StreamKey> mayRepeat = new HashSet<>();
  private int recordCount;
  private long bytes;

  void register(
      String sourceName, ConfiguredAirbyteStream stream, WriteStrategy strategy, String syncId) {
    registrations.add(new Registration(sourceName, stream, strategy, syncId));
  }

  /**
   * Adds a record; {@code mayRepeat} says the cache may already hold it (a replay after a reset),
   * so its stream's records go through the guarded write ({@link #mayRepeat(StreamKey)}).
   */
  void add(
      String sourceName, String stream, CacheRecord record, long valueBytes, boolean mayRepeat) {
    StreamKey key = new StreamKey(sourceName, stream);
    records.computeIfAbsent(key, k -> new ArrayList<>()).add(record);
    if (mayRepeat) {
      this.mayRepeat.add(key);
    }
    recordCount++;
    bytes += valueBytes;
  }

  List<Registration> registrations() {
    return registrations;
  }

  Map<StreamKey, List<CacheRecord>> records() {
    return records;
  }

  /** Whether some record of this stream in the batch may already be in the cache. */
  boolean mayRepeat(StreamKey key) {
    return mayRepeat.contains(key);
  }

  int recordCount() {
    return recordCount;
  }

  long bytes() {
    return bytes;
  }

  void clear() {
    registrations.clear();
    records.clear();
    mayRepeat.clear();
    recordCount = 0;
    bytes = 0;
  }
}
