package io.akb.runtime.topic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides when a checkpoint of the topic contract is complete for one reader (ARCHITECTURE.md): a
 * checkpoint is complete once, for every {@code topic/partition} in its {@code counts}, the reader
 * has applied that many records carrying the checkpoint's sync id. Only then may its state be
 * written to a cache or passed on to a destination.
 *
 * <p>The reader reports every record it applies ({@link #recordApplied}) and every event that waits
 * on counts ({@link #await}: a {@code CHECKPOINT}, or a {@code SYNC_COMPLETED} whose final counts
 * must all be in before a replaced stream is swapped). {@link #drainComplete()} hands back the
 * events that became complete, in the order they were awaited. Because counts are cumulative per
 * sync, a later checkpoint of a sync is never complete before an earlier one.
 *
 * <p>Applied counts survive a restart when the reader stores {@link #appliedPerSync(String)} with
 * its offsets (in the same transaction as the rows) and gives them back through {@link
 * #restoreApplied}. Not thread-safe; knows nothing of Kafka, so any reader of the topics can use
 * it.
 *
 * @param <E> what the reader attaches to an awaited event (the event itself, its offset, ...)
 */
public final class CheckpointTracker<E> {

  /** sync id to {@code topic/partition} to records of that sync applied from it. */
  private final Map<String, Map<String, Long>> appliedBySync = new HashMap<>();

  /** Awaited events in the order they were awaited. */
  private final List<Awaited<E>> pending = new ArrayList<>();

  private record Awaited<E>(String syncId, Map<String, Long> counts, E event) {}

  /** Counts one applied record of {@code syncId} read from {@code topicPartition}. */
  public void recordApplied(String syncId, String topicPartition) {
    recordApplied(syncId, topicPartition, 1);
  }

  /** Counts {@code records} applied records of {@code syncId} read from {@code topicPartition}. */
  public void recordApplied(String syncId, String topicPartition, long records) {
    appliedBySync
        .computeIfAbsent(syncId, id -> new HashMap<>())
        .merge(topicPartition, records, Long::sum);
  }

  /**
   * Restores what a previous run applied from one {@code topic/partition} (sync id to count), as
   * stored with that run's offsets. Replaces whatever this tracker counted for that partition.
   */
  public void restoreApplied(String topicPartition, Map<String, Long> appliedPerSync) {
    for (Map<String, Long> partitions : appliedBySync.values()) {
      partitions.remove(topicPartition);
    }
    appliedPerSync.forEach(
        (syncId, count) ->
            appliedBySync
                .computeIfAbsent(syncId, id -> new HashMap<>())
                .put(topicPartition, count));
  }

  /**
   * What has been applied from one {@code topic/partition}, sync id to count: store it with the
   * partition's offset so that {@link #restoreApplied} can bring it back after a restart.
   */
  public Map<String, Long> appliedPerSync(String topicPartition) {
    Map<String, Long> result = new LinkedHashMap<>();
    appliedBySync.forEach(
        (syncId, partitions) -> {
          Long count = partitions.get(topicPartition);
          if (count != null) {
            result.put(syncId, count);
          }
        });
    return result;
  }

  /** Records of {@code syncId} applied from {@code topicPartition} so far. */
  public long applied(String syncId, String topicPartition) {
    return appliedBySync.getOrDefault(syncId, Map.of()).getOrDefault(topicPartition, 0L);
  }

  /**
   * Holds {@code event} until {@code counts} ({@code topic/partition} to cumulative records of
   * {@code syncId}) have all been applied; null or empty counts are complete at once.
   */
  public void await(String syncId, Map<String, Long> counts, E event) {
    pending.add(new Awaited<>(syncId, counts == null ? Map.of() : Map.copyOf(counts), event));
  }

  /** Whether every count has been applied for {@code syncId}. */
  public boolean isComplete(String syncId, Map<String, Long> counts) {
    if (counts == null) {
      return true;
    }
    for (Map.Entry<String, Long> count : counts.entrySet()) {
      if (applied(syncId, count.getKey()) < count.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Whether an awaited event is complete now (the next {@link #drainComplete} returns it). */
  public boolean anyComplete() {
    for (Awaited<E> awaited : pending) {
      if (isComplete(awaited.syncId(), awaited.counts())) {
        return true;
      }
    }
    return false;
  }

  /** Removes and returns the awaited events that are complete now, in the order awaited. */
  public List<E> drainComplete() {
    List<E> complete = new ArrayList<>();
    for (Iterator<Awaited<E>> it = pending.iterator(); it.hasNext(); ) {
      Awaited<E> awaited = it.next();
      if (isComplete(awaited.syncId(), awaited.counts())) {
        complete.add(awaited.event());
        it.remove();
      }
    }
    return complete;
  }

  /**
   * Removes and returns the awaited events, oldest first, that still lack records from one of
   * {@code partitions}: a reader that skipped records gone from those partitions, and has read them
   * to their end since, knows that these can never complete.
   */
  public List<E> dropIncompleteOn(Set<String> partitions) {
    List<E> dropped = new ArrayList<>();
    for (Iterator<Awaited<E>> it = pending.iterator(); it.hasNext(); ) {
      Awaited<E> awaited = it.next();
      for (Map.Entry<String, Long> count : awaited.counts().entrySet()) {
        if (partitions.contains(count.getKey())
            && applied(awaited.syncId(), count.getKey()) < count.getValue()) {
          dropped.add(awaited.event());
          it.remove();
          break;
        }
      }
    }
    return dropped;
  }

  /** The awaited events that are not complete yet, oldest first. */
  public List<E> pending() {
    return pending.stream().map(Awaited::event).toList();
  }

  /**
   * Forgets a finished sync's counts and awaited events, so a long-running reader does not keep
   * every sync it ever saw.
   */
  public void forgetSync(String syncId) {
    appliedBySync.remove(syncId);
    pending.removeIf(awaited -> awaited.syncId().equals(syncId));
  }

  /** Drops all counts and awaited events (a reset). */
  public void clear() {
    appliedBySync.clear();
    pending.clear();
  }
}
