package io.akb.cache.load;

import io.akb.cache.CacheRecord;
import io.akb.cache.CacheTransaction;
import io.akb.cache.SqlCache;
import io.akb.cache.StoredOffset;
import io.akb.cache.TargetTakenOver;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.topic.CheckpointTracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one core that loads a {@link SqlCache} from the topic contract's events (sync started,
 * records, checkpoint, sync completed): {@code Source.read(cache)} / {@code akb read} feed it
 * straight from a connector, the bridge's cache targets from Kafka. It owns what both must do
 * alike:
 *
 * <ul>
 *   <li><b>Batching</b>: records are buffered per stream in arrival order until {@link #isDue} says
 *       the batch is full (records, value bytes) or old enough; a caller that has caught up with
 *       its input flushes at once, so batches are large while a reader catches up and small when it
 *       is live.
 *   <li><b>Checkpoint completion</b>: a checkpoint (or a sync end) waits until every record it
 *       counts ({@code topic/partition} to cumulative records of its sync, {@link
 *       CheckpointTracker}) has been added; events without counts complete at once, which is right
 *       for an ordered input such as a connector's stdout.
 *   <li><b>State rows</b>: the complete checkpoints of a batch are written in the batch's
 *       transaction, the latest one per stream (a GLOBAL or LEGACY state stands for all), so the
 *       stored state never points past the stored records, and a connector that checkpoints every
 *       few records costs one state row per batch.
 *   <li><b>Strategies</b>: streams are registered (tables created or evolved) with their write
 *       strategy before any of their records are written; a stream that may receive records the
 *       cache already holds (a replay) is written through the guarded {@link
 *       CacheTransaction#writeReplay}, every other through the fast {@link CacheTransaction#write}.
 *   <li><b>Failed syncs</b>: a sync that ends as failed (a failed {@link #syncCompleted}, most
 *       {@link #dropSync}s) takes back, in the transaction that ends it, the rows it applied after
 *       its last complete checkpoint ({@link UncheckpointedRows}, {@link
 *       CacheTransaction#removeRows}): the source's state only moved to that checkpoint, so its
 *       rerun re-emits them, and an append stream would hold them twice. Each record's sequence
 *       number ({@link RawIds}) gives its raw id back, so no per-record list is kept.
 *   <li><b>Offsets</b>: a reader that resumes from positions ({@link #claim}s a target) has them
 *       stored in the same transaction as the rows and states, so after a crash it resumes exactly
 *       where the cache stands.
 *   <li><b>Fencing</b>: claiming a target fences every earlier claimer; each transaction first
 *       checks the claim ({@link CacheTransaction#checkClaim}), so of two processes replaying the
 *       same target only the newer writes, and the older one's transaction fails with {@link
 *       TargetTakenOver} instead of doubling rows.
 * </ul>
 *
 * <p>A failed flush rolls the transaction back and throws; what this loader holds is then ahead of
 * the cache, and the caller starts over from the stored offsets with a new loader (or {@link
 * #clear()}). Not thread-safe.
 *
 * @param <E> what the caller attaches to a checkpoint to learn when it is written (for the bridge:
 *     where the event sits on its state topic)
 */
public final class CacheLoader<E> {
  private static final Logger LOG = LoggerFactory.getLogger(CacheLoader.class);

  /** When a batch is due: records, value bytes, and the age of its oldest entry. */
  public record BatchLimits(int maxRecords, long maxBytes, Duration maxWait) {
    public BatchLimits {
      if (maxRecords < 1 || maxBytes < 1 || maxWait.isNegative()) {
        throw new IllegalArgumentException(
            "batch limits must be positive: " + maxRecords + " records, " + maxBytes + " bytes");
      }
    }
  }

  /**
   * The raw id the caller gave the record it read at {@code seq} of {@code position} ({@link
   * #record}): a pure function, so the loader can name the rows a failed sync takes back from the
   * positions and sequence numbers alone. Sequence numbers grow within a position (Kafka offsets, a
   * direct read's counter); they need not be dense.
   */
  @FunctionalInterface
  public interface RawIds {
    String of(String position, long seq);
  }

  /** What a checkpoint of the contract asks of the cache once complete. */
  public enum Kind {
    /** Store a state. */
    CHECKPOINT,
    /** End a sync (replaced streams swap in their new generation when it succeeded). */
    SYNC_COMPLETED
  }

  /**
   * A checkpoint or sync end waiting for its records, then written: {@code state} for a CHECKPOINT
   * (null: nothing to store), {@code succeeded} for a SYNC_COMPLETED; {@code covers} the records it
   * stands for ({@code position} to cumulative count of its sync: the counts it was given, or for
   * one given none, those applied when it arrived); {@code tag} is the caller's.
   */
  public record Checkpoint<E>(
      Kind kind,
      String sourceName,
      String syncId,
      AirbyteStateMessage state,
      boolean succeeded,
      Map<String, Long> covers,
      E tag) {}

  /** Records gone from the input that the reader skipped, recorded in the cache. */
  private record Gap(
      String topicPartition, long fromOffset, long resumeAt, long records, String description) {}

  /** A sync dropped, ended as failed by the next flush. */
  private record DroppedSync(String sourceName, UncheckpointedRows.Removal removal) {}

  /** What one flush wrote. */
  public record Flushed<E>(int records, long bytes, List<Checkpoint<E>> checkpoints) {}

  private final SqlCache cache;
  private final LoadBatch batch = new LoadBatch();
  private final CheckpointTracker<Checkpoint<E>> tracker = new CheckpointTracker<>();
  private final RawIds rawIds;
  private final UncheckpointedRows uncheckpointed = new UncheckpointedRows();

  /** Syncs dropped since the last flush: sync id to its source and the rows it takes back. */
  private final Map<String, DroppedSync> failedSyncs = new LinkedHashMap<>();

  private final List<Gap> gaps = new ArrayList<>();
  private long oldestNanos = -1;
  private String target;
  private long epoch;

  /** For a shared target: claim name to epoch, of each partition this loader owns; else empty. */
  private Map<String, Long> shareEpochs = Map.of();

  /**
   * A loader of {@code cache} whose callers give their records the raw ids {@code rawIds} names.
   */
  public CacheLoader(SqlCache cache, RawIds rawIds) {
    this.cache = cache;
    this.rawIds = rawIds;
  }

  /**
   * Claims {@code target} for this loader (fencing whoever claimed it before) and returns the
   * offsets it stored last: read them only after the claim, so an older claimer can no longer move
   * them. From now on every flush stores offsets under {@code target}. {@code holder} names this
   * process in the message a fenced one gets.
   */
  public Map<String, StoredOffset> claim(String target, String holder) {
    try (CacheTransaction tx = cache.begin()) {
      epoch = tx.claimTarget(target, holder);
      tx.commit();
    }
    this.target = target;
    return cache.storedOffsets(target);
  }

  /**
   * As {@link #claim}, for a target several processes replay together, each owning some of its
   * partitions: claims each of {@code keys} ({@code topic/partition}, the partitions this loader
   * owns now), fencing whoever owned them before, and returns the offsets stored for the whole
   * target (the others' partitions too, with the counts they applied). From now on every flush
   * checks these claims and takes the target's schema lock before a schema change ({@link
   * CacheTransaction#shareSchemaWith}); the caller stores offsets of the owned partitions only.
   */
  public Map<String, StoredOffset> claimShare(
      String target, Collection<String> keys, String holder) {
    Map<String, Long> epochs = new LinkedHashMap<>();
    try (CacheTransaction tx = cache.begin()) {
      for (String key : keys) {
        String claim = shareClaim(target, key);
        epochs.put(claim, tx.claimTarget(claim, holder));
      }
      tx.commit();
    }
    this.target = target;
    this.shareEpochs = epochs;
    return cache.storedOffsets(target);
  }

  /** Whether this loader claimed a target (or partitions of a shared one): it stores offsets. */
  public boolean claimed() {
    return target != null;
  }

  /** The claim of one partition of a shared target, in the cache's claims. */
  public static String shareClaim(String target, String key) {
    return target + "@" + key;
  }

  /**
   * Sync {@code syncId} of {@code sourceName} starts with {@code streams}: each is registered with
   * its strategy in the next transaction (idempotent, so a reader that restarts registers again).
   * {@code syncId} null: register only, do not start the sync's new generation of replaced streams
   * (a start read again after a restart, whose generation the cache already knows).
   */
  public void syncStarted(
      String sourceName,
      String syncId,
      List<ConfiguredAirbyteStream> streams,
      Function<String, WriteStrategy> strategyOfStream) {
    for (ConfiguredAirbyteStream stream : streams) {
      batch.register(sourceName, stream, strategyOfStream.apply(stream.stream().name()), syncId);
    }
  }

  /**
   * Adds a record of registered {@code stream}; {@code position} is where it was read from (the
   * {@code topic/partition} checkpoints count) and {@code seq} where in it, growing (its raw id is
   * {@link RawIds#of}{@code (position, seq)}), {@code bytes} its size for the batch limit, {@code
   * mayRepeat} whether the cache may already hold it.
   */
  public void record(
      String sourceName,
      String stream,
      String position,
      long seq,
      CacheRecord record,
      long bytes,
      boolean mayRepeat) {
    touch();
    batch.add(sourceName, stream, record, bytes, mayRepeat);
    tracker.recordApplied(record.syncId(), position);
    uncheckpointed.applied(
        sourceName,
        record.syncId(),
        stream,
        position,
        tracker.applied(record.syncId(), position),
        seq);
  }

  /**
   * A checkpoint of {@code syncId}: its state is written in the first transaction that holds every
   * record {@code counts} names (null or empty: the next one).
   */
  public void checkpoint(
      String sourceName,
      String syncId,
      AirbyteStateMessage state,
      Map<String, Long> counts,
      E tag) {
    touch();
    tracker.await(
        syncId,
        counts,
        new Checkpoint<>(
            Kind.CHECKPOINT, sourceName, syncId, state, false, covers(syncId, counts), tag));
  }

  /** What an event covers: its counts, or without any (an ordered input) what was applied. */
  private Map<String, Long> covers(String syncId, Map<String, Long> counts) {
    return counts == null ? uncheckpointed.appliedCounts(syncId) : Map.copyOf(counts);
  }

  /** The end of {@code syncId}, applied as {@link #checkpoint} is once its counts are in. */
  public void syncCompleted(
      String sourceName, String syncId, boolean succeeded, Map<String, Long> counts, E tag) {
    touch();
    tracker.await(
        syncId,
        counts,
        new Checkpoint<>(
            Kind.SYNC_COMPLETED, sourceName, syncId, null, succeeded, covers(syncId, counts), tag));
  }

  /**
   * Stops waiting for {@code syncId}, whose records can never all arrive: its waiting checkpoints
   * are dropped (returned, for the caller to report), and the next transaction ends the sync as
   * failed (replaced streams keep their previous generation). With {@code takeBack} its append
   * streams lose the rows applied after its last complete checkpoint: right when the source resumes
   * from that checkpoint's state at the latest (a task killed and started anew); wrong when records
   * of the sync are gone (a gap), since the source may have moved past checkpoints that only the
   * missing records kept from completing, and the rows are all that is left of them.
   */
  public List<Checkpoint<E>> dropSync(String sourceName, String syncId, boolean takeBack) {
    List<Checkpoint<E>> dropped = new ArrayList<>();
    for (Checkpoint<E> waiting : tracker.pending()) {
      if (waiting.syncId().equals(syncId)) {
        dropped.add(waiting);
      }
    }
    tracker.forgetSync(syncId);
    failedSyncs.put(
        syncId, new DroppedSync(sourceName, takeBack ? uncheckpointed.removal(syncId) : null));
    uncheckpointed.forget(syncId);
    touch();
    return dropped;
  }

  /**
   * The reader skipped records gone from its input (see {@link CacheTransaction#recordGap}): kept
   * in the cache's {@code _akb_gaps} by the next transaction, which needs a claimed target.
   */
  public void gapSkipped(
      String topicPartition, long fromOffset, long resumeAt, long records, String description) {
    gaps.add(new Gap(topicPartition, fromOffset, resumeAt, records, description));
    touch();
  }

  /** A finished sync's counts and waiting events are forgotten (a long-running reader's memory). */
  public void forgetSync(String syncId) {
    tracker.forgetSync(syncId);
    uncheckpointed.forget(syncId);
  }

  /**
   * The counts of records added per sync and position: a reader that stores them with its offsets
   * ({@link CheckpointTracker#appliedPerSync}) restores them after a restart ({@link
   * CheckpointTracker#restoreApplied}) so checkpoints of a sync spanning the restart complete.
   */
  public CheckpointTracker<Checkpoint<E>> counts() {
    return tracker;
  }

  /** The checkpoints still waiting for records, oldest first. */
  public List<Checkpoint<E>> waiting() {
    return tracker.pending();
  }

  /** Whether a waiting checkpoint has all its records now: the next flush writes it. */
  public boolean hasCompleteCheckpoint() {
    return tracker.anyComplete();
  }

  public int bufferedRecords() {
    return batch.recordCount();
  }

  /** Whether the batch has reached a limit, or its oldest entry has waited {@code maxWait}. */
  public boolean isDue(BatchLimits limits) {
    return batch.recordCount() >= limits.maxRecords()
        || batch.bytes() >= limits.maxBytes()
        || (oldestNanos >= 0 && System.nanoTime() - oldestNanos >= limits.maxWait().toNanos());
  }

  /** Whether a flush would write anything (records, registrations, checkpoints, sync ends). */
  public boolean hasWork() {
    return oldestNanos >= 0 || !batch.registrations().isEmpty();
  }

  /**
   * Writes, in one transaction (after checking the claim, when there is one): the registrations,
   * the buffered records, the checkpoints they complete (states, sync ends), then hands those
   * checkpoints to {@code beforeOffsets} (so the caller can move its positions past them, and drop
   * syncs that can never complete: {@link #dropSync} works there, on what is still waiting), ends
   * the dropped syncs as failed, and, for a loader that claimed a target, stores the offsets {@code
   * offsets} gives, asked last. Returns what was written.
   *
   * @throws TargetTakenOver when another loader claimed the target since this one did
   */
  public Flushed<E> flush(
      Consumer<List<Checkpoint<E>>> beforeOffsets, Supplier<Map<String, StoredOffset>> offsets) {
    List<Checkpoint<E>> complete = tracker.drainComplete();
    int records = batch.recordCount();
    long bytes = batch.bytes();
    try (CacheTransaction tx = cache.begin()) {
      checkClaims(tx);
      for (LoadBatch.Registration registration : batch.registrations()) {
        tx.registerStream(
            registration.sourceName(),
            registration.stream(),
            registration.strategy(),
            registration.syncId());
      }
      batch
          .records()
          .forEach(
              (key, streamRecords) -> {
                if (batch.mayRepeat(key)) {
                  tx.writeReplay(key.sourceName(), key.stream(), streamRecords);
                } else {
                  tx.write(key.sourceName(), key.stream(), streamRecords);
                }
              });
      LatestStates states = new LatestStates();
      for (Checkpoint<E> checkpoint : complete) {
        if (checkpoint.kind() == Kind.CHECKPOINT) {
          if (checkpoint.state() != null) {
            states.add(checkpoint.sourceName(), checkpoint.state());
          }
          uncheckpointed.checkpointed(checkpoint.syncId(), checkpoint.covers());
        } else {
          // States before a sync end are written before it: the end may swap tables.
          states.writeTo(tx);
          if (!checkpoint.succeeded()) {
            removeUncheckpointed(
                tx, checkpoint.syncId(), uncheckpointed.removal(checkpoint.syncId()));
          }
          tx.completeSync(checkpoint.sourceName(), checkpoint.syncId(), checkpoint.succeeded());
        }
      }
      states.writeTo(tx);
      beforeOffsets.accept(complete); // may drop syncs, ended below
      failedSyncs.forEach(
          (syncId, dropped) -> {
            removeUncheckpointed(tx, syncId, dropped.removal());
            tx.completeSync(dropped.sourceName(), syncId, false);
          });
      if (target != null) {
        for (Gap gap : gaps) {
          tx.recordGap(
              target,
              gap.topicPartition(),
              gap.fromOffset(),
              gap.resumeAt(),
              gap.records(),
              gap.description());
        }
        tx.saveOffsets(target, offsets.get());
      }
      tx.commit();
    }
    clearBatch();
    return new Flushed<>(records, bytes, complete);
  }

  /**
   * Stores {@code offsets} alone (a reader rewinding its positions), in a transaction that checks
   * the claim; drops the batch and the counts, which the rewound positions read again.
   */
  public void rewind(Map<String, StoredOffset> offsets) {
    if (target == null) {
      throw new IllegalStateException("only a loader that claimed a target has offsets");
    }
    try (CacheTransaction tx = cache.begin()) {
      checkClaims(tx);
      tx.saveOffsets(target, offsets);
      tx.commit();
    }
    clear();
  }

  /**
   * Takes back the rows of failed {@code syncId} that no complete checkpoint covers ({@code
   * removal}, null: none), in the transaction that ends the sync.
   */
  private void removeUncheckpointed(
      CacheTransaction tx, String syncId, UncheckpointedRows.Removal removal) {
    if (removal == null) {
      return;
    }
    if (!removal.complete()) {
      LOG.warn(
          "Sync {} of {} failed; its rows after the last checkpoint came too scattered to track"
              + " (over {} runs of offsets) and stay: a rerun may store some records twice in"
              + " append streams",
          syncId,
          removal.sourceName(),
          UncheckpointedRows.MAX_RUNS);
    }
    if (removal.runs().isEmpty()) {
      return;
    }
    LOG.info(
        "Sync {} of {} failed: taking back the {} records it applied after its last checkpoint"
            + " (its rerun sends them again)",
        syncId,
        removal.sourceName(),
        removal.records());
    tx.removeRows(removal.sourceName(), removal.streams(), () -> rawIdsOf(removal.runs()));
  }

  /** The raw ids of {@code runs}, one after the other, made as they are read. */
  private Iterator<String> rawIdsOf(List<UncheckpointedRows.Run> runs) {
    return runs.stream()
        .flatMap(
            run ->
                LongStream.rangeClosed(run.fromSeq(), run.toSeq())
                    .mapToObj(seq -> rawIds.of(run.position(), seq)))
        .iterator();
  }

  /** First in every transaction: the claims, and for a shared target its schema lock rule. */
  private void checkClaims(CacheTransaction tx) {
    if (target == null) {
      return;
    }
    if (shareEpochs.isEmpty() && epoch > 0) {
      tx.checkClaim(target, epoch);
    } else {
      tx.shareSchemaWith(target);
      tx.checkClaims(shareEpochs);
    }
  }

  /** Forgets the batch, the counts and the waiting checkpoints (the reader starts over). */
  public void clear() {
    clearBatch();
    tracker.clear();
    uncheckpointed.clear();
  }

  private void clearBatch() {
    batch.clear();
    failedSyncs.clear();
    gaps.clear();
    oldestNanos = -1;
  }

  private void touch() {
    if (oldestNanos < 0) {
      oldestNanos = System.nanoTime();
    }
  }
}
