package io.akb.bridge.replay;

import io.akb.runtime.topic.CheckpointTracker;
import io.akb.runtime.topic.StateEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Tells which syncs a target must stop waiting for, because checkpoints of theirs can never
 * complete: so a target drops them with a warning instead of waiting forever.
 *
 * <p>A sync is <em>over</em> once its end is awaited: its {@code SYNC_COMPLETED}, or, for a sync
 * whose task started a newer sync without ending it (the task was killed), an end the target adds
 * itself ({@link #abandoned}). An over sync is <em>settled</em> when the target has read every
 * partition it reads up to end offsets measured after the sync became over, so no record of the
 * sync can come any more, and one of these holds:
 *
 * <ul>
 *   <li>it was abandoned: a killed task may have left a checkpoint without all its records;
 *   <li>the target skipped a gap ({@link #gapSkipped}): records of the sync may be in it.
 * </ul>
 *
 * Otherwise the topic contract holds and a sync's counts are always met, so nothing is settled.
 * Settling a sync applies its complete events as usual and drops the rest: a checkpoint's state is
 * not written, a sync end is applied as failed. Not thread-safe; knows nothing of Kafka.
 */
final class LostCheckpoints<E> {
  /** Abandoned sync id to the end the target applies (as failed) when it settles. */
  private final Map<String, E> abandoned = new LinkedHashMap<>();

  private boolean gapSkipped;

  /**
   * A newer sync of the same task started: {@code syncId} will never see its SYNC_COMPLETED, and
   * {@code end} stands for it once the sync settles.
   */
  void abandoned(String syncId, E end) {
    abandoned.putIfAbsent(syncId, end);
  }

  /** The {@code SYNC_COMPLETED} (FAILED) that stands for abandoned {@code syncId}. */
  static StateEvent abandonedEnd(String syncId, StateEvent newerStart) {
    return StateEvent.syncCompleted(
        syncId,
        newerStart.task(),
        StateEvent.SYNC_FAILED,
        "abandoned: task " + newerStart.task() + " started sync " + newerStart.syncId(),
        Map.of(),
        System.currentTimeMillis());
  }

  /** The end added for an abandoned sync that settles now, or null; forgets the sync. */
  E settledEnd(String syncId) {
    return abandoned.remove(syncId);
  }

  /** The target read on past records that are gone: awaited counts may never be met. */
  void gapSkipped() {
    gapSkipped = true;
  }

  /**
   * Whether the target read on past records that are gone: a sync settled then may lack records its
   * source will not send again (it may have moved past checkpoints they kept from completing), so
   * its rows after the last complete checkpoint are not taken back.
   */
  boolean skippedGap() {
    return gapSkipped;
  }

  /**
   * The over syncs that settle once the target has caught up: the abandoned ones, and after a gap
   * was skipped those of {@code pending} (the tracker's awaited events, mapped to their state
   * events by {@code event}) whose SYNC_COMPLETED is awaited. Empty when there is nothing to
   * settle, so the caller need not ask the broker whether it caught up.
   */
  <P> Set<String> overSyncs(List<P> pending, Function<P, StateEvent> event) {
    Set<String> over = new LinkedHashSet<>(abandoned.keySet());
    if (gapSkipped) {
      for (P awaited : pending) {
        StateEvent state = event.apply(awaited);
        if (state.type() == StateEvent.Type.SYNC_COMPLETED) {
          over.add(state.syncId());
        }
      }
    }
    return over;
  }

  /** Forgets everything (the target starts over from its stored offsets). */
  void clear() {
    abandoned.clear();
    gapSkipped = false;
  }

  /**
   * What an awaited event still lacks, for a warning or an error: {@code "CHECKPOINT 3 of sync S
   * (needs 40 more records from t/0)"}; only partitions in {@code partitions} when it is not null.
   */
  static String describe(StateEvent event, CheckpointTracker<?> tracker, Set<String> partitions) {
    List<String> missing = new ArrayList<>();
    if (event.counts() != null) {
      for (Map.Entry<String, Long> count : event.counts().entrySet()) {
        long lacking = count.getValue() - tracker.applied(event.syncId(), count.getKey());
        if (lacking > 0 && (partitions == null || partitions.contains(count.getKey()))) {
          missing.add(lacking + " more from " + count.getKey());
        }
      }
    }
    return event.type()
        + (event.seq() == null ? "" : " " + event.seq())
        + " of sync "
        + event.syncId()
        + (missing.isEmpty() ? "" : " (needs " + String.join(", ", missing) + ")");
  }

  /** The awaited events that wait on records of {@code partitions} they have not got, described. */
  static <E> List<String> waitingOn(
      List<E> pending,
      Function<E, StateEvent> event,
      CheckpointTracker<?> tracker,
      Set<String> partitions) {
    List<String> waiting = new ArrayList<>();
    for (E awaited : pending) {
      StateEvent state = event.apply(awaited);
      if (state.counts() == null) {
        continue;
      }
      for (String partition : partitions) {
        Long count = state.counts().get(partition);
        if (count != null && tracker.applied(state.syncId(), partition) < count) {
          waiting.add(describe(state, tracker, partitions));
          break;
        }
      }
    }
    return waiting;
  }
}
