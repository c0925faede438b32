package io.akb.connect.sink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Source checkpoints waiting for their records (the topic contract's completeness rule): a
 * CHECKPOINT is complete once, for every {@code topic/partition} in its counts, this task has sent
 * that many records carrying its sync id. Not thread-safe.
 *
 * <p>A stand-in with the same rule as the bridge's {@code io.akb.runtime.topic.CheckpointTracker},
 * which was not on main when the sink needed it; the sink should use that class once it is.
 */
final class PendingCheckpoints<E> {
  private final Map<String, Map<String, Long>> sentBySync = new HashMap<>();
  private final List<Awaited<E>> awaited = new ArrayList<>();

  private record Awaited<E>(String syncId, Map<String, Long> counts, E event) {}

  /** Counts one record of {@code syncId} sent from {@code topicPartition}. */
  void recordSent(String syncId, String topicPartition) {
    sentBySync.computeIfAbsent(syncId, id -> new HashMap<>()).merge(topicPartition, 1L, Long::sum);
  }

  /** Holds {@code event} until its counts are all sent; no counts means complete at once. */
  void await(String syncId, Map<String, Long> counts, E event) {
    awaited.add(new Awaited<>(syncId, counts == null ? Map.of() : Map.copyOf(counts), event));
  }

  /** Removes and returns the events complete now, in the order awaited. */
  List<E> drainComplete() {
    List<E> complete = new ArrayList<>();
    for (Iterator<Awaited<E>> it = awaited.iterator(); it.hasNext(); ) {
      Awaited<E> next = it.next();
      Map<String, Long> sent = sentBySync.getOrDefault(next.syncId(), Map.of());
      boolean done =
          next.counts().entrySet().stream()
              .allMatch(count -> sent.getOrDefault(count.getKey(), 0L) >= count.getValue());
      if (done) {
        complete.add(next.event());
        it.remove();
      }
    }
    return complete;
  }
}
