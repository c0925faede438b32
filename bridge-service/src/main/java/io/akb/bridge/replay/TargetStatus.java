package io.akb.bridge.replay;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A target's progress as operators see it (REST, health, metrics): a snapshot taken by the replay
 * thread, safe to read from any thread.
 *
 * @param name the target's name
 * @param cache where its cache is ({@code DUCKDB:path} or {@code POSTGRES:url}); null for a
 *     destination target
 * @param destination the destination a destination target writes into, null for a cache target
 * @param phase starting, waiting, running, paused, failed or stopped
 * @param lastError why it failed last, or null (for a destination, with its last log lines); while
 *     waiting, what it waits for
 * @param lag records on its record partitions not written yet, -1 while unknown
 * @param recordsApplied records written since this process started (for a destination: records the
 *     destination confirmed by echoing a state)
 * @param recordsPerSecond records per second of the last batch interval
 * @param recordsSkipped records that could not be applied (no headers, not JSON, unknown stream)
 * @param checkpointsPending checkpoints waiting for their records
 * @param partitionsWaitingForSync record partitions waiting for their sync's SYNC_STARTED
 * @param lastBatchAt when the last batch with records was committed, or null
 * @param gaps records found gone from Kafka before the target read them, since this process started
 *     (at most the last {@link #MAX_GAPS}): the one a FAILED target stopped at, or the ones it
 *     skipped ({@code on-gap=skip})
 * @param checkpointsDropped checkpoints (and sync ends) dropped because they can never complete:
 *     their records are gone, or their sync was abandoned by a killed task
 * @param streams per stream: records written and the last complete checkpoint
 */
public record TargetStatus(
    String name,
    String cache,
    String destination,
    BridgeTarget.Phase phase,
    String lastError,
    long lag,
    long recordsApplied,
    double recordsPerSecond,
    long recordsSkipped,
    int checkpointsPending,
    int partitionsWaitingForSync,
    Instant lastBatchAt,
    List<RecordGap> gaps,
    long checkpointsDropped,
    List<StreamStatus> streams) {

  /** The most gaps a status lists. */
  public static final int MAX_GAPS = 20;

  public TargetStatus {
    gaps = gaps == null ? List.of() : List.copyOf(gaps);
  }

  /** Records found gone in {@link #gaps}, -1 when a recreated topic makes the number unknown. */
  public long recordsLost() {
    long sum = 0;
    for (RecordGap gap : gaps) {
      if (gap.records() < 0) {
        return -1;
      }
      sum += gap.records();
    }
    return sum;
  }

  /**
   * One stream of a target.
   *
   * @param stream the stream's name
   * @param source the source it comes from
   * @param recordsApplied records written since this process started (for a destination: records
   *     the destination confirmed by echoing a state)
   * @param lastCheckpoint the last complete checkpoint's Airbyte STATE written, or null
   * @param lastCheckpointAt when it was written, or null
   * @param lastCheckpointSourceCount the records the source said the last checkpoint with a count
   *     covers ({@code sourceStats.recordCount}), or null when it sent none ({@link CountProof})
   * @param lastCheckpointRecords the records the target applied for that checkpoint, or null
   * @param countMismatches checkpoints whose two counts differed, since this process started
   */
  public record StreamStatus(
      String stream,
      String source,
      long recordsApplied,
      JsonNode lastCheckpoint,
      Instant lastCheckpointAt,
      Long lastCheckpointSourceCount,
      Long lastCheckpointRecords,
      long countMismatches) {}

  /** Checkpoints whose source count differed from the records applied, over all streams. */
  public long countMismatches() {
    return streams == null ? 0 : streams.stream().mapToLong(StreamStatus::countMismatches).sum();
  }

  static TargetStatus starting(TargetSettings settings) {
    return new TargetStatus(
        settings.name(),
        settings.cache() == null ? null : settings.describeTarget(),
        settings.destination() == null ? null : settings.destination().name(),
        BridgeTarget.Phase.STARTING,
        null,
        -1,
        0,
        0,
        0,
        0,
        0,
        null,
        List.of(),
        0,
        List.of());
  }
}
