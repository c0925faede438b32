package io.akb.bridge.replay;

import java.util.concurrent.CompletableFuture;

/**
 * One target of the bridge, replayed on its own thread by {@link #run()}: a SQL cache ({@link
 * TargetReplicator}) or an Airbyte destination ({@link DestinationReplicator}). The REST API,
 * health checks and metrics see every target through this.
 */
public interface BridgeTarget extends Runnable, AutoCloseable {

  /** Life of a target as operators see it. */
  enum Phase {
    STARTING,
    /**
     * A destination target whose sources have not started a sync yet: no {@code SYNC_STARTED} says
     * what its streams are. It looks again every topic refresh interval; healthy meanwhile.
     */
    WAITING,
    RUNNING,
    PAUSED,
    FAILED,
    STOPPED
  }

  /**
   * Told after each batch the target wrote (a cache transaction, or records a destination
   * confirmed).
   */
  interface BatchObserver {
    void batchCommitted(int records, long bytes, long nanos);
  }

  TargetSettings settings();

  /** A snapshot of the target's progress, safe to read from any thread. */
  TargetStatus status();

  /** Records written (a cache) or confirmed (a destination) since this process started. */
  long recordsApplied();

  /** Records on the target's record partitions not written or confirmed yet, -1 while unknown. */
  long lag();

  /** Stops reading; what was read is written (or confirmed) first. */
  void pause();

  /** Reads again after {@link #pause()}. */
  void resume();

  /** Forgets the stored offsets and replays from the earliest retained offset. */
  CompletableFuture<Void> reset();

  /** Asks the replay thread to write what it has and stop; {@link #run()} returns soon after. */
  @Override
  void close();
}
