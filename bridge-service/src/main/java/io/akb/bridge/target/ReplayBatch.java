package io.akb.bridge.target;

import io.akb.cache.CacheRecord;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a target writes in its next cache transaction: streams to register, records grouped per
 * stream in arrival order, and how big it has grown (records and value bytes), so the target can
 * bound its memory by writing it before it grows past the configured limits.
 */
final class ReplayBatch {
  /** A stream to register before any record is written: its source and catalog entry. */
  record Registration(String sourceName, ConfiguredAirbyteStream stream) {}

  /** Where a group of records goes. */
  record StreamKey(String sourceName, String stream) {}

  private final List<Registration> registrations = new ArrayList<>();
  private final Map<StreamKey, List<CacheRecord>> records = new LinkedHashMap<>();
  private final java.util.Set<StreamKey> mayRepeat = new java.util.HashSet<>();
  private int recordCount;
  private long bytes;
  private long firstAddedNanos;

  void register(String sourceName, ConfiguredAirbyteStream stream) {
    registrations.add(new Registration(sourceName, stream));
  }

  /**
   * Adds a record; {@code mayRepeat} says the cache may already hold it (a replay after a reset),
   * so its stream's records go through the guarded write ({@link #mayRepeat(StreamKey)}).
   */
  void add(
      String sourceName, String stream, CacheRecord record, long valueBytes, boolean mayRepeat) {
    if (recordCount == 0) {
      firstAddedNanos = System.nanoTime();
    }
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

  /** How long the oldest record has waited, in nanoseconds; 0 when there is none. */
  long ageNanos() {
    return recordCount == 0 ? 0 : System.nanoTime() - firstAddedNanos;
  }

  void clear() {
    registrations.clear();
    records.clear();
    mayRepeat.clear();
    recordCount = 0;
    bytes = 0;
  }
}
