package io.akb.bridge.replay;

import io.akb.cache.StoredOffset;
import io.akb.runtime.topic.StateEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A target's position in one state topic, kept so that a restart loses no pending checkpoint and
 * applies no event twice.
 *
 * <p>The stored {@link StoredOffset#nextOffset()} is where to re-read the state topic from: the
 * oldest {@code SYNC_STARTED} of a sync still running (its catalog is needed to resolve that sync's
 * records) or the oldest event still waiting for its records, whichever comes first. The stored map
 * holds, per sync and task, the state-topic offset just after the last event of theirs that was
 * applied; a re-read skips the effects of events below it ({@link #alreadyApplied}). An entry is
 * dropped once its sync has completed and the re-read position has passed it.
 */
final class StateTopicProgress {
  /** sync/task key to the offset of its SYNC_STARTED, while the sync runs. */
  private final Map<String, Long> runningSince = new HashMap<>();

  /** sync/task key to the offset just after its last applied event. */
  private final Map<String, Long> appliedThrough = new HashMap<>();

  /** sync/task key to the offset of its applied SYNC_COMPLETED. */
  private final Map<String, Long> completedAt = new HashMap<>();

  /** Offsets of events awaiting their records. */
  private final TreeSet<Long> pending = new TreeSet<>();

  private long nextOffset;

  /** Starts from what a previous run stored, or from the beginning when {@code stored} is null. */
  StateTopicProgress(StoredOffset stored, long beginning) {
    if (stored == null) {
      nextOffset = beginning;
    } else {
      nextOffset = stored.nextOffset();
      appliedThrough.putAll(stored.appliedPerSync());
    }
  }

  /** The offset to seek the state topic to. */
  long seekOffset() {
    return nextOffset;
  }

  static String key(StateEvent event) {
    return event.syncId() + "/" + event.task();
  }

  /**
   * Whether the event at {@code offset} was applied by an earlier run, so only its bookkeeping
   * (catalog, running syncs) is needed now, not its effect on the cache.
   */
  boolean alreadyApplied(StateEvent event, long offset) {
    return offset < appliedThrough.getOrDefault(key(event), Long.MIN_VALUE);
  }

  /** A sync started at {@code offset}. */
  void started(StateEvent event, long offset) {
    runningSince.putIfAbsent(key(event), offset);
    read(offset);
  }

  /**
   * The syncs of {@code started}'s task still running before it started: a task runs one sync at a
   * time, so a newer {@code SYNC_STARTED} means they ended without their {@code SYNC_COMPLETED}
   * (the task was killed).
   */
  List<String> abandonedBy(StateEvent started) {
    String suffix = "/" + started.task();
    List<String> abandoned = new ArrayList<>();
    for (String key : runningSince.keySet()) {
      String syncId = key.substring(0, Math.max(0, key.length() - suffix.length()));
      if (key.endsWith(suffix) && !syncId.equals(started.syncId())) {
        abandoned.add(syncId);
      }
    }
    return abandoned;
  }

  /**
   * Reading goes on at {@code offset}, after a gap: the records before it are gone (or, for a
   * recreated topic, the stored position belongs to the old topic).
   */
  void skipTo(long offset) {
    nextOffset = offset;
  }

  /** An event at {@code offset} waits for its records. */
  void awaiting(long offset) {
    pending.add(offset);
    read(offset);
  }

  /** An event at {@code offset} needs nothing more (STREAM_STATUS, or one skipped on re-read). */
  void read(long offset) {
    nextOffset = Math.max(nextOffset, offset + 1);
  }

  /** The awaited event at {@code offset} has been applied. */
  void applied(StateEvent event, long offset) {
    pending.remove(offset);
    appliedThrough.merge(key(event), offset + 1, Math::max);
    if (event.type() == StateEvent.Type.SYNC_COMPLETED) {
      runningSince.remove(key(event));
      completedAt.put(key(event), offset);
    }
  }

  /** A SYNC_COMPLETED skipped on re-read: the sync is over. */
  void completedEarlier(StateEvent event, long offset) {
    runningSince.remove(key(event));
    completedAt.put(key(event), offset);
    read(offset);
  }

  /** What to store with the target's offsets for this state topic. */
  StoredOffset toStored() {
    long rereadFrom = nextOffset;
    for (long since : runningSince.values()) {
      rereadFrom = Math.min(rereadFrom, since);
    }
    if (!pending.isEmpty()) {
      rereadFrom = Math.min(rereadFrom, pending.first());
    }
    long from = rereadFrom;
    // Marks below the re-read position of completed syncs will never be consulted again.
    completedAt
        .entrySet()
        .removeIf(
            done -> {
              if (done.getValue() < from) {
                appliedThrough.remove(done.getKey());
                return true;
              }
              return false;
            });
    return new StoredOffset(rereadFrom, appliedThrough);
  }
}
