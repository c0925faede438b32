package io.akb.bridge.replay;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a cache target replays records its cache may already hold: after {@code reset()}, from the
 * earliest offset up to the position each partition had before the reset. Only those records need
 * the guarded {@code CacheTransaction.writeReplay}; every other record goes through the fast {@code
 * write}, since the offsets stored in the same transaction rule repeats out.
 *
 * <p>The guard of a partition is stored with its offsets, in the per-sync counts under {@link #KEY}
 * (no sync id starts with {@code _akb_}), so a restart in the middle of the replay keeps guarding;
 * it goes once the partition has passed that position. Not thread-safe.
 */
final class ReplayGuard {
  /** The reserved entry of a stored offset's per-sync counts that holds the guarded position. */
  static final String KEY = "_akb_replay_until";

  /** {@code topic/partition} to the position it had before the reset. */
  private final Map<String, Long> until = new HashMap<>();

  /** A reset rewinds partitions that stood at {@code positions} ({@code topic/partition}). */
  void reset(Map<String, Long> positions) {
    positions.forEach((key, position) -> until.merge(key, position, Math::max));
  }

  /** Whether the record at {@code offset} of a partition may already be in the cache. */
  boolean mayRepeat(String partition, long offset) {
    Long limit = until.get(partition);
    return limit != null && offset < limit;
  }

  /**
   * The per-sync counts of a stored offset without the guard, which this remembers: what the
   * checkpoint tracker gets back.
   */
  Map<String, Long> restore(String partition, Map<String, Long> stored) {
    Long limit = stored.get(KEY);
    if (limit == null) {
      return stored;
    }
    until.merge(partition, limit, Math::max);
    Map<String, Long> counts = new LinkedHashMap<>(stored);
    counts.remove(KEY);
    return counts;
  }

  /**
   * The per-sync counts to store for a partition read up to {@code nextOffset}: with the guard
   * while the partition has not passed it yet.
   */
  Map<String, Long> store(String partition, long nextOffset, Map<String, Long> counts) {
    Long limit = until.get(partition);
    if (limit == null) {
      return counts;
    }
    if (nextOffset >= limit) {
      until.remove(partition);
      return counts;
    }
    Map<String, Long> guarded = new LinkedHashMap<>(counts);
    guarded.put(KEY, limit);
    return guarded;
  }

  /** Forgets every guard (the target starts over from what its cache stored). */
  void clear() {
    until.clear();
  }
}
