package io.akb.connect.source;

import io.akb.runtime.AkbException;
import java.util.Map;

/**
 * When a task's next sync starts, kept across restarts: the {@code SYNC_COMPLETED} event of a
 * successful sync carries the source partition {@code {"sync_schedule": "<task id>"}} with the
 * offset {@code {"last_sync_ended_at": <epoch ms>}}, so Connect commits the end time once that
 * event is written. A restarted task then waits the rest of {@code sync.interval.ms} instead of
 * syncing at once. A failed sync leaves the stored time as it was: the next start after a failure
 * is due as soon as the interval since the last success has passed. The offset also holds a digest
 * of the task's configuration ({@code "config_digest"}): a task restarted with another
 * configuration (a changed {@code airbyte.config}, other streams) syncs at once, as its user
 * expects after changing it.
 */
final class SyncSchedule {
  static final String PARTITION_KEY = "sync_schedule";
  static final String ENDED_AT_KEY = "last_sync_ended_at";
  static final String CONFIG_KEY = "config_digest";

  private SyncSchedule() {}

  /** The source partition of a task's schedule. */
  static Map<String, Object> partition(String taskId) {
    return Map.of(PARTITION_KEY, taskId);
  }

  /**
   * The offset recording that a sync of the configuration with digest {@code configDigest} (null:
   * none recorded) ended successfully at {@code endedAtMs}.
   */
  static Map<String, Object> offset(long endedAtMs, String configDigest) {
    return configDigest == null
        ? Map.of(ENDED_AT_KEY, endedAtMs)
        : Map.of(ENDED_AT_KEY, endedAtMs, CONFIG_KEY, configDigest);
  }

  static boolean isSchedulePartition(Map<String, ?> partition) {
    return partition != null && partition.containsKey(PARTITION_KEY);
  }

  /**
   * When the next sync is due: {@code intervalMs} after the stored end of the last successful sync,
   * now when none is stored or it was a sync of another configuration than {@code configDigest}'s.
   * A stored time in the future (a clock set back) counts as now.
   *
   * @throws AkbException when the stored offset is not {@code {"last_sync_ended_at": <ms>}}
   */
  static long nextSyncAt(
      Map<String, ?> storedOffset, long intervalMs, long nowMs, String configDigest) {
    if (storedOffset == null) {
      return nowMs;
    }
    Object storedDigest = storedOffset.get(CONFIG_KEY);
    if (storedDigest != null && !storedDigest.equals(configDigest)) {
      endedAt(storedOffset); // still refuse a malformed offset
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
    Object digest = offset.get(CONFIG_KEY);
    int expectedSize = digest == null ? 1 : 2;
    if (!(value instanceof Number number)
        || offset.size() != expectedSize
        || (digest != null && !(digest instanceof String))
        || number.longValue() < 0) {
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
