package io.akb.bridge.local;

import io.akb.runtime.topic.StateEvent;
import java.time.Duration;

/**
 * How {@code akb sync} ends once its sync's {@code SYNC_COMPLETED} is on the state topic, decided
 * on one look at Kafka and the cache (each tick of {@link LocalSync}'s loop takes one).
 *
 * <p>Contract: only a {@code SYNC_COMPLETED} that says {@code SUCCEEDED} can end in {@link
 * Next#DONE}; any other status (FAILED, or none at all) ends in {@link Next#FAILED} or {@link
 * Next#FAILED_CACHE_BEHIND}, whatever the cache has applied. Both facts are taken once per look:
 * the cache moves on between two questions, and a decision made of two different moments could turn
 * a failed sync into a finished one.
 */
final class SyncEnd {
  /** What the loop does next. */
  enum Next {
    /** Keep following: records or the cache are still on their way. */
    WAIT,
    /**
     * The sync succeeded and its records are all in Kafka: stop the connector, wait for the cache.
     */
    STOP_CONNECTOR,
    /** The sync succeeded and the cache has applied it: print the summary, exit 0. */
    DONE,
    /** The sync failed and the cache has applied everything before the failure. */
    FAILED,
    /** The sync failed; the cache had not applied everything after {@link #failedWait}. */
    FAILED_CACHE_BEHIND,
    /**
     * The sync succeeded, but records it counted are still not in Kafka after {@link #recordsWait}.
     */
    RECORDS_MISSING
  }

  private final Duration recordsWait;
  private final Duration failedWait;

  /**
   * @param recordsWait how long a succeeded sync's counted records may take to be all in Kafka
   * @param failedWait how long a failed sync waits for the cache to apply what the source sent
   */
  SyncEnd(Duration recordsWait, Duration failedWait) {
    this.recordsWait = recordsWait;
    this.failedWait = failedWait;
  }

  /**
   * @param status the {@code status} of the sync's {@code SYNC_COMPLETED}
   * @param recordsInKafka whether every record the event counts is in its topic
   * @param cacheApplied whether the cache has applied the state topic through the event
   * @param waited time since the event was seen
   */
  Next next(String status, boolean recordsInKafka, boolean cacheApplied, Duration waited) {
    if (!StateEvent.SYNC_SUCCEEDED.equals(status)) {
      if (recordsInKafka && cacheApplied) {
        return Next.FAILED;
      }
      if (waited.compareTo(failedWait) > 0) {
        return Next.FAILED_CACHE_BEHIND;
      }
      // Even when the cache has applied the event: a failure is reported, never taken for the end.
      return Next.WAIT;
    }
    if (cacheApplied) {
      return Next.DONE;
    }
    if (recordsInKafka) {
      return Next.STOP_CONNECTOR;
    }
    return waited.compareTo(recordsWait) > 0 ? Next.RECORDS_MISSING : Next.WAIT;
  }
}
