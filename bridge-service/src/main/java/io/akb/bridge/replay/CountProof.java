package io.akb.bridge.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStateType;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The count proof of a checkpoint: a source that sends {@code sourceStats.recordCount} with a STATE
 * says how many records that state covers (for a STREAM state, the stream's records since its
 * previous state; for a GLOBAL or LEGACY one, every stream's); the target compares it with the
 * records it applied for the checkpoint, taken from the checkpoints' cumulative per-partition
 * counts: this checkpoint's counts minus those of the previous checkpoint of the same sync, over
 * the partitions of the state's stream.
 *
 * <p>Every checkpoint of a sync must pass through {@link #check} in order (also those a restarted
 * target re-reads as already applied), so that the previous counts are known. Not thread-safe;
 * knows nothing of Kafka.
 */
final class CountProof {
  /** A checkpoint's two numbers: what the source counted and what the target applied. */
  record Result(long sourceCount, long applied) {
    boolean matches() {
      return sourceCount == applied;
    }
  }

  /** sync id to partition to the count of the previous checkpoint that covered it. */
  private final Map<String, Map<String, Long>> previous = new HashMap<>();

  /**
   * Checks one checkpoint of {@code syncId}; {@code ofStateStream} tells the partitions of the
   * state's stream (for a STREAM state). Null when the state carries no record count.
   */
  Result check(
      String syncId,
      AirbyteStateMessage state,
      Map<String, Long> counts,
      Predicate<String> ofStateStream) {
    Map<String, Long> before = previous.computeIfAbsent(syncId, id -> new HashMap<>());
    boolean perStream = state != null && state.effectiveType() == AirbyteStateType.STREAM;
    long applied = 0;
    if (counts != null) {
      for (Map.Entry<String, Long> count : counts.entrySet()) {
        if (!perStream || ofStateStream.test(count.getKey())) {
          applied += count.getValue() - before.getOrDefault(count.getKey(), 0L);
          before.put(count.getKey(), count.getValue());
        }
      }
    }
    JsonNode recordCount =
        state == null || state.sourceStats() == null
            ? null
            : state.sourceStats().get("recordCount");
    if (recordCount == null || !recordCount.isNumber()) {
      return null;
    }
    return new Result(recordCount.asLong(), applied);
  }

  /** A sync is over: its counts go. */
  void forget(String syncId) {
    previous.remove(syncId);
  }

  void clear() {
    previous.clear();
  }
}
