package io.akb.cache.load;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which rows of a running sync no complete checkpoint covers yet: those a failed sync must take
 * back, since its rerun re-emits them from the last checkpoint's state (issue #11).
 *
 * <p>Per sync and position ({@code topic/partition}, or a direct read's one position) it keeps the
 * count the last complete checkpoint covers and the records applied after it as <em>runs</em>:
 * records whose sequence numbers (Kafka offsets, a direct read's counter) follow each other by one.
 * A record's sequence number gives back its raw id ({@link CacheLoader.RawIds}), so a run stands
 * for all its rows in three numbers. Offsets are not dense (a Kafka transaction's commit marker
 * takes one, another sync's record may sit between two of this one's): a gap starts a new run, and
 * nothing is assumed about sequence numbers between runs. Memory is O(positions) for an ordered
 * input, O(runs since the last checkpoint) in general (a Kafka producer transaction is one run); a
 * sync with more than {@link #MAX_RUNS} is no longer tracked, its rows then stay on failure.
 *
 * <p>Counts are the cumulative per-sync counts checkpoints name ({@link
 * io.akb.runtime.topic.CheckpointTracker}), so they stay right when a reader restored them after a
 * restart; the runs themselves live in memory only: rows applied before a restart are unknown here
 * and stay if the sync fails later. Not thread-safe.
 */
final class UncheckpointedRows {

  /** Runs tracked per sync before it is given up: bounds the memory of a fragmented input. */
  static final int MAX_RUNS = 100_000;

  /** Records whose sequence numbers run from {@code fromSeq} to {@code toSeq}, none missing. */
  record Run(String position, long fromSeq, long toSeq) {
    long records() {
      return toSeq - fromSeq + 1;
    }
  }

  /** What a failed sync takes back: the runs, and the streams of the source they belong to. */
  record Removal(String sourceName, Set<String> streams, List<Run> runs, boolean complete) {
    long records() {
      return runs.stream().mapToLong(Run::records).sum();
    }
  }

  /** One position of one sync. */
  private static final class Position {
    /** The count (of the sync's records at this position) the last complete checkpoint covers. */
    long checkpointed;

    /** Runs after the checkpointed count, oldest first: {first count, first seq, last seq}. */
    final ArrayDeque<long[]> runs = new ArrayDeque<>();

    /** Cumulative count of the last record applied. */
    long applied;
  }

  private static final class Sync {
    String sourceName;
    final Set<String> streams = new LinkedHashSet<>();
    final Map<String, Position> positions = new HashMap<>();
    int runs;
    boolean givenUp;
  }

  private final Map<String, Sync> syncs = new HashMap<>();

  /**
   * A record of {@code syncId} was applied from {@code position} at sequence {@code seq}; {@code
   * count} is the sync's cumulative count at that position with it.
   */
  void applied(
      String sourceName, String syncId, String stream, String position, long count, long seq) {
    Sync sync = syncs.computeIfAbsent(syncId, id -> new Sync());
    if (sync.givenUp) {
      return;
    }
    sync.sourceName = sourceName;
    sync.streams.add(stream);
    Position at = sync.positions.computeIfAbsent(position, p -> new Position());
    long[] last = at.runs.peekLast();
    if (last != null && last[2] + 1 == seq && at.applied + 1 == count) {
      last[2] = seq;
    } else {
      at.runs.addLast(new long[] {count, seq, seq});
      if (++sync.runs > MAX_RUNS) {
        sync.givenUp = true;
        sync.positions.clear();
      }
    }
    at.applied = count;
  }

  /** The counts applied so far for {@code syncId}: what an event of an ordered input covers. */
  Map<String, Long> appliedCounts(String syncId) {
    Sync sync = syncs.get(syncId);
    Map<String, Long> counts = new LinkedHashMap<>();
    if (sync != null) {
      sync.positions.forEach((position, at) -> counts.put(position, at.applied));
    }
    return counts;
  }

  /** A checkpoint of {@code syncId} covering {@code counts} is complete (written). */
  void checkpointed(String syncId, Map<String, Long> counts) {
    Sync sync = syncs.get(syncId);
    if (sync == null || counts == null) {
      return;
    }
    counts.forEach(
        (position, count) -> {
          Position at = sync.positions.get(position);
          if (at == null || count <= at.checkpointed) {
            return;
          }
          at.checkpointed = count;
          while (!at.runs.isEmpty()) {
            long[] first = at.runs.peekFirst();
            long lastCount = first[0] + (first[2] - first[1]);
            if (lastCount > count) {
              break; // it holds uncheckpointed records
            }
            at.runs.removeFirst();
            sync.runs--;
          }
        });
  }

  /**
   * The rows {@code syncId} applied after its last complete checkpoint, or null when it applied
   * none; {@code complete} false when the sync was given up ({@link #MAX_RUNS}).
   */
  Removal removal(String syncId) {
    Sync sync = syncs.get(syncId);
    if (sync == null) {
      return null;
    }
    List<Run> runs = new ArrayList<>();
    sync.positions.forEach(
        (position, at) -> {
          for (long[] run : at.runs) {
            long lastCount = run[0] + (run[2] - run[1]);
            if (lastCount <= at.checkpointed) {
              continue;
            }
            long skip = Math.max(0, at.checkpointed - run[0] + 1);
            runs.add(new Run(position, run[1] + skip, run[2]));
          }
        });
    if (runs.isEmpty() && !sync.givenUp) {
      return null;
    }
    return new Removal(sync.sourceName, Set.copyOf(sync.streams), runs, !sync.givenUp);
  }

  void forget(String syncId) {
    syncs.remove(syncId);
  }

  void clear() {
    syncs.clear();
  }
}
