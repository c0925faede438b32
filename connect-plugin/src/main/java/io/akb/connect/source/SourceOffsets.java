package io.akb.connect.source;

import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStateType;
import io.akb.runtime.protocol.StreamDescriptor;
import java.util.HashMap;
import java.util.Map;

/**
 * The task's view of its stored state: the latest offset of every source partition, as restored
 * from Connect at start and advanced by each checkpoint this task emits. Every record the task
 * emits carries its partition's latest offset, so whatever record Connect commits last for a
 * partition, the committed offset is a checkpoint whose earlier records are all acknowledged (a
 * record without an offset would make Connect delete the partition's offset). Not thread-safe: used
 * by the polling thread only.
 *
 * <p>Known limit: in the very first sync of a source with GLOBAL or LEGACY state, records read
 * before its first state are tracked under their stream partitions, so without exactly-once a crash
 * right after that first checkpoint's commit could skip them. From then on (and always under
 * exactly-once, where a checkpoint ends a transaction) every record is tracked under the shared
 * partition.
 */
final class SourceOffsets {
  private final Map<Map<String, Object>, Map<String, Object>> latest = new HashMap<>();
  private final int taskCount;
  private final String configDigest;
  private AirbyteStateType sharedType;
  private Map<String, Object> schedule;

  SourceOffsets(Map<Map<String, Object>, Map<String, Object>> restored, int taskCount) {
    this(restored, taskCount, null);
  }

  /**
   * @param configDigest the task configuration's digest, recorded with each successful sync's end
   *     (see {@link SyncSchedule}), or null
   */
  SourceOffsets(
      Map<Map<String, Object>, Map<String, Object>> restored, int taskCount, String configDigest) {
    this.taskCount = taskCount;
    this.configDigest = configDigest;
    restored.forEach(
        (partition, offset) -> {
          if (SyncSchedule.isSchedulePartition(partition)) {
            schedule = offset; // not Airbyte state: never part of --state
          } else if (GenerationOffsets.isGenerationPartition(partition)) {
            // not Airbyte state either: the task reads the generations itself
          } else if (offset != null) {
            latest.put(partition, offset);
            AirbyteStateMessage state = StateOffsets.stateOf(partition, offset);
            if (state.effectiveType() != AirbyteStateType.STREAM) {
              sharedType = state.effectiveType();
            }
          }
        });
  }

  /** The partition a stream's records are tracked under: the stream's own, or the shared one. */
  Map<String, Object> partitionOf(StreamDescriptor stream) {
    return sharedType != null
        ? StateOffsets.sharedPartition(sharedType)
        : StateOffsets.streamPartition(stream);
  }

  /** The latest offset of a partition; null before its first state. */
  Map<String, Object> offsetOf(Map<String, Object> partition) {
    return latest.get(partition);
  }

  /** Whether the next sync resumes {@code stream} from a stored state (its own or a shared one). */
  boolean hasState(StreamDescriptor stream) {
    return latest.get(partitionOf(stream)) != null;
  }

  /** Records a new state; returns its partition. */
  Map<String, Object> advance(AirbyteStateMessage state) {
    if (state.effectiveType() != AirbyteStateType.STREAM) {
      if (taskCount > 1) {
        throw new AkbException(
            "Storing a " + state.effectiveType() + " state",
            "the source keeps one state for all its streams, but they are spread over "
                + taskCount
                + " tasks",
            "Set tasks.max=1 for this connector.");
      }
      sharedType = state.effectiveType();
    }
    Map<String, Object> partition = StateOffsets.partitionOf(state);
    latest.put(partition, StateOffsets.offsetOf(state));
    return partition;
  }

  /** The stored {@link SyncSchedule} offset: when the last successful sync ended; null if none. */
  Map<String, Object> scheduleOffset() {
    return schedule;
  }

  /** Records that a sync ended successfully at {@code endedAtMs}; returns the schedule offset. */
  Map<String, Object> syncSucceeded(long endedAtMs) {
    schedule = SyncSchedule.offset(endedAtMs, configDigest);
    return schedule;
  }

  /** Every stored Airbyte state offset, for the next sync's {@code --state}. */
  Map<Map<String, Object>, Map<String, Object>> all() {
    return latest;
  }
}
