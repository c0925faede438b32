package io.akb.cache;

import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * One unit of work against a {@link SqlCache}. Nothing is visible to readers until {@link
 * #commit()}; {@link #close()} without commit rolls everything back. Not thread-safe.
 */
public interface CacheTransaction extends AutoCloseable {

  /**
   * Creates or evolves a stream's table from its JSON schema: new fields add columns, a type that
   * no longer fits widens (or becomes JSON, the change recorded in {@code _airbyte_meta}). Also
   * records the stream in {@code _airbyte_streams}. Idempotent.
   */
  void registerStream(String sourceName, ConfiguredAirbyteStream stream, WriteStrategy strategy);

  /**
   * As {@link #registerStream(String, ConfiguredAirbyteStream, WriteStrategy)}, at the start of
   * sync {@code syncId}: a stream written with {@link WriteStrategy#REPLACE} starts the sync's
   * (empty) new generation now, so a full refresh that sends no record empties the table at {@link
   * #completeSync} instead of keeping the previous rows.
   */
  default void registerStream(
      String sourceName, ConfiguredAirbyteStream stream, WriteStrategy strategy, String syncId) {
    registerStream(sourceName, stream, strategy);
  }

  /**
   * Writes records of one registered stream (bulk: appender or COPY) following its strategy. A
   * stream written with {@link WriteStrategy#REPLACE} gets its rows into the sync's new generation,
   * which becomes visible only at {@link #completeSync}.
   */
  void write(String sourceName, String stream, List<CacheRecord> records);

  /**
   * As {@link #write}, for records some of which the cache may already hold (a replay from offsets
   * older than the ones stored, after a reset): a record whose {@code _airbyte_raw_id} the stream
   * already stores is skipped, so a replay never doubles a row. Slower than {@link #write}, which
   * callers use whenever their offsets, stored in the same transaction, rule a repeat out.
   */
  default void writeReplay(String sourceName, String stream, List<CacheRecord> records) {
    write(sourceName, stream, records);
  }

  /**
   * Takes back rows of a failed sync that no complete checkpoint covers, so that its rerun, which
   * the source starts from the last checkpoint's state and which re-emits them, stores each record
   * once: from each of {@code streams} (of {@code sourceName}) written with {@link
   * WriteStrategy#APPEND}, the rows whose {@code _airbyte_raw_id} is among {@code rawIds} are
   * deleted; ids the table does not hold are ignored. A stream written with {@link
   * WriteStrategy#MERGE} keeps its rows: each replaced its key's earlier row, so deleting it would
   * lose the key until the rerun, which upserts the same keys anyway; a {@link
   * WriteStrategy#REPLACE} stream's rows are in the sync's pending generation, which {@link
   * #completeSync} drops on failure. {@code rawIds} is read only when some stream is an append one.
   */
  void removeRows(String sourceName, Collection<String> streams, Iterable<String> rawIds);

  /** Stores a state in {@code _airbyte_state} (STREAM per stream, GLOBAL and LEGACY kept too). */
  void writeState(String sourceName, AirbyteStateMessage state);

  /**
   * Marks a sync finished: on success each replaced stream's new generation becomes the table's
   * content; on failure the partial generation is dropped and the previous one stays.
   */
  void completeSync(String sourceName, String syncId, boolean succeeded);

  /**
   * Claims {@code target} for the caller: a new epoch, higher than any before, recorded with {@code
   * holder} (who claims, for the message an older claimer gets). Once committed, every transaction
   * of an older claimer fails at {@link #checkClaim}: it has been fenced.
   */
  long claimTarget(String target, String holder);

  /**
   * Fails with {@link TargetTakenOver} unless {@code epoch} is still the newest claim of {@code
   * target}; where several processes may write (PostgreSQL), holds the claim's row locked until
   * this transaction ends, so a newer claim waits for it and then fences the older claimer's next
   * transaction. Call it first in every transaction of a claimer.
   */
  default void checkClaim(String target, long epoch) {
    checkClaims(Map.of(target, epoch));
  }

  /**
   * {@link #checkClaim} for several claims at once, in one statement (the partitions of a target
   * shared by several processes, each claimed by the one that owns it): fails with {@link
   * TargetTakenOver} on the first claim that is no longer the newest, or that is gone.
   */
  void checkClaims(Map<String, Long> epochs);

  /**
   * Declares that other processes write {@code target} at the same time (a shared target, each
   * writing its own partitions): from now on, a schema change of this transaction (a stream
   * registered, a column added or widened, a generation started or swapped) first waits for the
   * schema changes of the others to commit and then sees them, so no two processes change one table
   * at once or from a stale view. A database with one writer has nothing to do.
   */
  default void shareSchemaWith(String target) {}

  /**
   * Records that {@code target} skipped records gone from Kafka: {@code topicPartition} from offset
   * {@code fromOffset} up to {@code resumeAt}, {@code recordsLost} of them (-1: unknown), described
   * in a sentence; kept in {@code _akb_gaps}, so the cache says what it lacks.
   */
  void recordGap(
      String target,
      String topicPartition,
      long fromOffset,
      long resumeAt,
      long recordsLost,
      String description);

  /**
   * The offsets stored for {@code target} as this transaction sees them: on the writer's own
   * connection, so a reader that polls them (a shared target's coordinator) opens no connection.
   */
  Map<String, StoredOffset> storedOffsets(String target);

  /** Stores a target's consumed offsets, in this same transaction as the rows. */
  void saveOffsets(String target, Map<String, StoredOffset> offsets);

  void commit();

  /** Rolls back when {@link #commit()} was not called. */
  @Override
  void close();
}
