package io.akb.connect.source;

import io.akb.runtime.AkbException;
import java.util.Map;

/**
 * When a task's next sync starts, kept across restarts: the {@code SYNC_COMPLETED} event of a
 * successful sync carries the source partition {@code {"sync_schedule": "<task id>"}} with the
 * offset {@code {"last_sync_ended_at": <epoch ms>}}, so Connect commits the end time once that
 * event is written. A restarted task then waits the rest of {@code sync.interval.ms} instead of
 * syncing at once. A failed sync leaves the stored time as it was: the next start after a failure
 * is due as soon as the interval since the last success has passed.
 */
final class SyncSchedule {
  static final String PARTITION_KEY = "sync_schedule";
  static final String ENDED_AT_KEY = "last_sync_ended_at";

  private SyncSchedule() {}

  /** The source partition of a task's schedule. */
  static Map<String, Object> partition(String taskId) {
    return Map.of(PARTITION_KEY, taskId);
  }

  /** The offset recording that a sync ended successfully at {@code endedAtMs}. */
  static Map<String, Object> offset(long endedAtMs) {
    return Map.of(ENDED_AT_KEY, endedAtMs);
  }

  static boolean isSchedulePartition(Map<String, ?> partition) {
    return partition != null && partition.containsKey(PARTITION_KEY);
  }

  /**
   * When the next sync is due: {@code intervalMs} after the stored end of the last successful sync,
   * now when none is stored. A stored time in the future (a clock set back) counts as now.
   *
   * @throws AkbException when the stored offset is not {@code {"last_sync_ended_at": <ms>}}
   */
  static long nextSyncAt(Map<String, ?> storedOffset, long intervalMs, long nowMs) {
    if (storedOffset == null) {
      return nowMs;
    }
    long endedAt = Math.min(endedAt(storedOffset), nowMs);
    return endedAt + intervalMs;
  }

  /**
   * The end time in a stored offset.
   *
   * @throws AkbException when the offset is not {@code {"last_sync_ended_at": <ms>}}
   */
  static long endedAt(Map<String, ?> offset) {
    Object value = offset.get(ENDED_AT_KEY);
    if (!(value instanceof Number number) || offset.size() != 1 || number.longValue() < 0) {
      throw new AkbException(
          "Reading the stored sync schedule " + offset,
          "a schedule offset is {\"" + ENDED_AT_KEY + "\": <epoch milliseconds>}",
          "Alter offsets only with what GET /connectors/<name>/offsets shows, or reset them.");
    }
    return number.longValue();
  }

  /** Checks a schedule partition's shape: {@code {"sync_schedule": "<task id>"}}. */
  static void checkPartition(Map<String, ?> partition) {
    Object task = partition.get(PARTITION_KEY);
    if (!(task instanceof String id) || id.isEmpty() || partition.size() != 1) {
      throw new AkbException(
          "Reading the stored sync schedule of partition " + partition,
          "a schedule partition is {\"" + PARTITION_KEY + "\": \"<task id>\"}",
          "Alter offsets only with what GET /connectors/<name>/offsets shows, or reset them.");
    }
  }
}
