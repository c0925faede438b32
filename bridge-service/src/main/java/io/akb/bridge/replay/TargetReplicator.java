package io.akb.bridge.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.CacheRecord;
import io.akb.cache.SqlCache;
import io.akb.cache.StoredOffset;
import io.akb.cache.load.CacheLoader;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStateType;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.topic.RecordHeaders;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one target (a SQL cache) up to date from the topics of its sources, exactly once: the
 * {@link ReplayLoop}'s writer for a cache, and the Kafka adapter of the {@link CacheLoader} core
 * that {@code akb read} drives too.
 *
 * <p>Contract, beyond the loop's:
 *
 * <ul>
 *   <li>It reads the state topics of its sources alongside their record topics, and turns them into
 *       the core's events: a {@code SYNC_STARTED} registers the sync's streams, a record joins the
 *       batch (a partition whose sync has not started yet waits at that record), a {@code
 *       CHECKPOINT} or {@code SYNC_COMPLETED} waits for the records its counts name.
 *   <li>Records, the checkpoints they complete and the offsets they advance (record partitions, and
 *       each state topic's {@link StateTopicProgress}) are written in one cache transaction per
 *       batch; on start the consumer seeks to the offsets stored in the cache (or offset 0 when
 *       none), so a crash at any moment loses and doubles nothing. Kafka's tools see the progress
 *       through offsets committed after each transaction.
 *   <li>{@link #query} runs work against the cache on the replay thread, between two polls.
 *   <li>With {@code on-gap=fail} the target reads its state topics on for at most {@link
 *       #GAP_REPORT_WAIT} (to name the checkpoints that can no longer complete) before it fails.
 *       Checkpoints that can never complete are dropped with a warning ({@link LostCheckpoints}),
 *       as are those of a sync whose task was killed and started a newer one.
 *   <li>Records go through the cache's fast {@code write}; only a replay after {@link #reset()}
 *       uses the guarded {@code writeReplay} until it passes the old positions ({@link
 *       ReplayGuard}).
 *   <li>A shared target (several bridge processes, one PostgreSQL cache) claims each partition its
 *       group gives it ({@link CacheLoader#claimShare}) and stores only their offsets, with the
 *       counts applied from them. Every process reads the state topics (it registers each sync's
 *       streams), but only the coordinator applies checkpoints and sync ends: it counts the others'
 *       partitions as their stored counts say ({@link #SHARED_REFRESH}), so a checkpoint is written
 *       once every owner has committed its share. A member forgets a sync once the coordinator's
 *       stored state-topic offset has passed its start.
 * </ul>
 */
public final class TargetReplicator extends ReplayLoop {
  private static final Logger log = LoggerFactory.getLogger(TargetReplicator.class);

  /** How long a target that found records gone reads its state topics on before it fails. */
  static final Duration GAP_REPORT_WAIT = Duration.ofSeconds(2);

  /** How often a shared target reads the others' stored offsets and counts. */
  static final Duration SHARED_REFRESH = Duration.ofMillis(250);

  /** A stored offset that reads a partition from its earliest retained record (a reset). */
  private static final long FROM_START = -1;

  private final AtomicLong recordsApplied = new AtomicLong();

  // Owned by the replay thread.
  private SqlCache cache;
  private CacheLoader<PendingEvent> loader;
  private CacheLoader.BatchLimits limits;
  private final Map<String, ActiveSync> syncs = new HashMap<>();
  private final Map<String, Set<String>> runningTasksBySync = new HashMap<>();
  private final Map<String, StateTopicProgress> stateTopics = new HashMap<>();
  private final Set<TopicPartition> waitingForSync = new HashSet<>();
  private final Set<String> finishedSyncs = new HashSet<>();
  private final Map<String, StreamProgress> streamProgress = new LinkedHashMap<>();
  private Map<String, StoredOffset> stored = Map.of();
  private boolean positionsDirty;
  private Instant lastBatchAt;
  private double recordsPerSecond;
  private final LostCheckpoints<PendingEvent> lost = new LostCheckpoints<>();
  private final ReplayGuard replayGuard = new ReplayGuard();
  private long checkpointsDropped;
  private final CountProof countProof = new CountProof();

  /** Qualified stream name to its record topic, as records showed it. */
  private final Map<String, String> topicOfStream = new HashMap<>();

  /** A shared target: the stored offsets of the whole target, as last read, and when. */
  private Map<String, StoredOffset> sharedStored = Map.of();

  private long nextSharedRefresh;

  /** A shared target's member: sync id to the state topic and offset of its SYNC_STARTED. */
  private final Map<String, Map.Entry<String, Long>> syncStarts = new HashMap<>();

  /**
   * A shared target, every {@link #SHARED_REFRESH} while it waits on the others: reads the whole
   * target's stored offsets. The coordinator counts the partitions others own as their stored
   * counts say (what is stored is committed, and counts only grow) and returns whether a waiting
   * checkpoint is complete now; a member forgets the syncs the coordinator has finished (its stored
   * state-topic offset is past their start, so no record of theirs is still to come) and returns
   * false.
   */
  private boolean refreshShared() {
    long now = System.nanoTime();
    if (now < nextSharedRefresh
        || (coordinating() ? loader.waiting().isEmpty() : syncStarts.isEmpty())) {
      return false;
    }
    nextSharedRefresh = now + SHARED_REFRESH.toNanos();
    try (var tx = cache.begin()) {
      sharedStored = tx.storedOffsets(settings.name());
      tx.commit(); // it wrote nothing; a rollback would make the cache read its layouts again
    }
    if (coordinating()) {
      sharedStored.forEach(
          (key, offset) -> {
            TopicPartition partition = TargetConsumer.partitionOf(key);
            if (!settings.isStateTopic(partition.topic()) && !positions.containsKey(partition)) {
              loader.counts().restoreApplied(key, offset.appliedPerSync());
            }
          });
      return loader.hasCompleteCheckpoint();
    }
    for (var it = syncStarts.entrySet().iterator(); it.hasNext(); ) {
      var start = it.next();
      StoredOffset coordinator = sharedStored.get(start.getValue().getKey());
      if (coordinator != null && coordinator.nextOffset() > start.getValue().getValue()) {
        it.remove();
        finishSync(start.getKey());
        positionsDirty = true; // the counts stored next no longer name it
      }
    }
    return false;
  }

  private Set<String> settling = Set.of();
  private long nextSettleCheck;
  private List<RecordGap> gapsToReport;
  private long gapsFoundAt;

  /** An event of a state topic waiting for its records. */
  private record PendingEvent(String stateTopic, long offset, StateEvent event) {}

  /** What a target knows of one stream, for operators. */
  private static final class StreamProgress {
    String sourceName;
    long recordsApplied;
    JsonNode lastState;
    Instant lastCheckpointAt;
    Long lastCheckpointSourceCount;
    Long lastCheckpointRecords;
    long countMismatches;
  }

  private final RecordValues values = new RecordValues(settings);

  // Per record, the same few texts: made once per run of equal values (the replay thread's).
  private final HeaderText syncIdHeader = new HeaderText(RecordHeaders.SYNC_ID);
  private final HeaderText streamHeader = new HeaderText(RecordHeaders.STREAM);
  private final HeaderText namespaceHeader = new HeaderText(RecordHeaders.NAMESPACE);
  private final HeaderText metaHeader = new HeaderText(RecordHeaders.META);
  private final Map<TopicPartition, String> partitionKeys = new HashMap<>();
  private String lastMetaText;
  private JsonNode lastMeta;

  public TargetReplicator(TargetSettings settings, BatchObserver observer) {
    super(settings, observer);
  }

  /** Records written to the cache since this process started. */
  @Override
  public long recordsApplied() {
    return recordsApplied.get();
  }

  /**
   * Runs {@code work} against the cache on the replay thread, between two polls, so that callers
   * never use the cache at the same time as the writer (DuckDB allows one connection per file).
   */
  public <T> CompletableFuture<T> query(Function<SqlCache, T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    submit(
        () -> {
          try {
            result.complete(work.apply(openCache("querying target '" + settings.name() + "'")));
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  private SqlCache openCache(String what) {
    if (cache == null) {
      throw new AkbException(
          what,
          "its cache is not open (" + phase + (lastError == null ? "" : ": " + lastError) + ")",
          "Look at GET /targets/" + settings.name() + " for the error and retry.");
    }
    return cache;
  }

  @Override
  protected String openWriter() {
    cache = SqlCache.open(settings.cache(), settings.cacheOptions());
    loader = new CacheLoader<>(cache, TargetReplicator::rawId);
    if (share == null) {
      // Claimed before the offsets are read: an older process replaying this target can no longer
      // move them, its next transaction fails instead.
      stored = new HashMap<>(loader.claim(settings.name(), holder()));
    } // a shared target claims the partitions its group gives it (startOffsets)
    limits =
        new CacheLoader.BatchLimits(
            settings.batchMaxRecords(), settings.batchMaxBytes(), settings.batchMaxWait());
    log.info("Target {} opened {}", settings.name(), cache.describe());
    return null;
  }

  /** This process, as a fenced one is told who took its target over. */
  private static String holder() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException | RuntimeException e) {
      host = "unknown host";
    }
    return "bridge process " + ProcessHandle.current().pid() + " on " + host;
  }

  @Override
  protected boolean handle(ConsumerRecord<byte[], byte[]> record) {
    if (isStateTopic(record.topic())) {
      handleStateEvent(record);
      return true;
    }
    return handleRecord(record, new TopicPartition(record.topic(), record.partition()));
  }

  @Override
  protected void afterPoll(boolean caughtUp) {
    boolean othersApplied = share != null && refreshShared();
    if (gapsToReport != null
        && (System.nanoTime() - gapsFoundAt >= GAP_REPORT_WAIT.toNanos()
            || TargetConsumer.stateTopicsReadToEnd(consumer, settings))) {
      List<RecordGap> found = gapsToReport;
      gapsToReport = null;
      throw RecordGap.failure(settings.name(), found, waitingOn(found));
    }
    settleOverSyncs(caughtUp);
    if (loader.isDue(limits)
        || (caughtUp && (loader.hasWork() || positionsDirty))
        || othersApplied
        || pauseRequested() && positionsDirty) {
      flush();
    }
  }

  @Override
  protected void writeWhatWasRead() {
    if (loader != null && (positionsDirty || loader.hasWork())) {
      flush();
    }
  }

  @Override
  protected void finish() {
    writeWhatWasRead(); // a graceful stop keeps what was read
  }

  @Override
  protected Set<TopicPartition> resumable(Set<TopicPartition> assigned) {
    Set<TopicPartition> running = new HashSet<>(assigned);
    running.removeAll(waitingForSync);
    return running;
  }

  /**
   * The target stops reading records and fails once its state topics say which checkpoints wait on
   * the records gone (at most {@link #GAP_REPORT_WAIT} later).
   */
  @Override
  protected void gapsFound(List<RecordGap> found) {
    if (gapsToReport == null) {
      gapsToReport = new ArrayList<>();
      gapsFoundAt = System.nanoTime();
    }
    gapsToReport.addAll(found);
    TargetConsumer.pauseAllButStateTopics(consumer, settings, found);
  }

  @Override
  protected void gapsSkipped(List<RecordGap> skipped) {
    List<String> waiting = waitingOn(skipped);
    for (RecordGap gap : skipped) {
      log.warn(
          "Target {} skips records gone (on-gap=skip): {}{}",
          settings.name(),
          gap.describe(),
          waiting.isEmpty()
              ? ""
              : "; checkpoints waiting on it are dropped once the target has caught up: "
                  + waiting);
      StateTopicProgress progress = stateTopics.get(gap.topic());
      if (progress != null) {
        progress.skipTo(gap.resumeAt());
      }
      loader.gapSkipped(
          gap.partitionKey(), gap.from(), gap.resumeAt(), gap.records(), gap.describe());
    }
    positionsDirty = true;
    lost.gapSkipped();
  }

  /** The awaited checkpoints that lack records of the gaps' partitions, described. */
  private List<String> waitingOn(List<RecordGap> found) {
    Set<String> partitions = new HashSet<>();
    found.forEach(gap -> partitions.add(gap.partitionKey()));
    return LostCheckpoints.waitingOn(
        loader.waiting(), c -> c.tag().event(), loader.counts(), partitions);
  }

  /**
   * Once the target has caught up on every partition (their end offsets asked after the syncs
   * became over), marks the over syncs of {@link LostCheckpoints} to settle in the next flush.
   */
  private void settleOverSyncs(boolean polledEmpty) {
    if (!polledEmpty
        || gapsToReport != null
        || !settling.isEmpty()
        || !waitingForSync.isEmpty()
        || System.nanoTime() < nextSettleCheck) {
      return;
    }
    nextSettleCheck = System.nanoTime() + LAG_CHECK_INTERVAL.toNanos();
    Set<String> over = lost.overSyncs(loader.waiting(), c -> c.tag().event());
    if (over.isEmpty()) {
      return;
    }
    if (!TargetConsumer.readToEnd(consumer, consumer.assignment())
        || share != null && !othersCaughtUp()) {
      return;
    }
    settling = over;
    positionsDirty = true;
  }

  /**
   * A shared target's coordinator: whether every record partition others own is stored up to the
   * end offset the broker gives now (a partition nobody has stored yet is not).
   */
  private boolean othersCaughtUp() {
    List<TopicPartition> others = new ArrayList<>();
    for (TopicPartition partition :
        TargetConsumer.partitionsToRead(consumer, settings, positions.keySet())) {
      if (!settings.isStateTopic(partition.topic())) {
        others.add(partition);
      }
    }
    if (others.isEmpty()) {
      return true;
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(others, Duration.ofSeconds(5));
    for (TopicPartition partition : others) {
      StoredOffset offset = sharedStored.get(TargetConsumer.key(partition));
      long end = ends.getOrDefault(partition, 0L);
      if (end > 0 && (offset == null || offset.nextOffset() < end)) {
        return false;
      }
    }
    return true;
  }

  /**
   * In the flush's transaction, once its complete checkpoints are applied: the settling syncs'
   * events still waiting are dropped with a warning, the loader ends each sync as failed, and the
   * syncs are finished. An abandoned sync takes back its rows after its last complete checkpoint
   * (its task's next sync starts from that state or an older one, and sends them again), unless a
   * gap was skipped: then missing records may be what kept later checkpoints, which the source has
   * moved past, from completing.
   */
  private void settle() {
    for (String syncId : settling) {
      PendingEvent end = lost.settledEnd(syncId);
      String stateTopic = end != null ? end.stateTopic() : null;
      for (CacheLoader.Checkpoint<PendingEvent> waiting : loader.waiting()) {
        if (waiting.syncId().equals(syncId)) {
          stateTopic = waiting.tag().stateTopic();
          log.warn(
              "Target {} drops {}: it can never complete (records gone, or its sync abandoned)",
              settings.name(),
              LostCheckpoints.describe(waiting.tag().event(), loader.counts(), null));
          checkpointsDropped++;
        }
      }
      if (stateTopic == null) {
        finishSync(syncId);
        continue;
      }
      for (CacheLoader.Checkpoint<PendingEvent> dropped :
          loader.dropSync(
              sourceNameOfSync(syncId, stateTopic), syncId, end != null && !lost.skippedGap())) {
        stateTopics
            .get(dropped.tag().stateTopic())
            .applied(dropped.tag().event(), dropped.tag().offset());
      }
      if (end != null) {
        stateTopics.get(end.stateTopic()).applied(end.event(), end.offset());
        log.warn(
            "Target {} ends sync {} as failed: its task started a newer sync without ending it",
            settings.name(),
            syncId);
      }
      finishSync(syncId);
    }
    settling = Set.of();
  }

  /**
   * A newer sync of the same task started at {@code offset}: the older one ends as failed once the
   * target has caught up (its complete checkpoints are applied meanwhile, the others dropped).
   */
  private void abandon(String syncId, StateEvent started, String stateTopic, long offset) {
    StateTopicProgress progress = stateTopics.get(stateTopic);
    StateEvent end = LostCheckpoints.abandonedEnd(syncId, started);
    if (progress.alreadyApplied(end, offset)) {
      progress.completedEarlier(end, offset);
      finishSyncTask(end);
      return;
    }
    log.warn(
        "Target {}: sync {} never completed (task {} started sync {} without ending it); it ends"
            + " as failed once the target has caught up",
        settings.name(),
        syncId,
        started.task(),
        started.syncId());
    lost.abandoned(syncId, new PendingEvent(stateTopic, offset, end));
    progress.awaiting(offset);
  }

  /**
   * A state topic is read from where its progress says (its oldest running sync or waiting event),
   * a record partition from its stored offset; one never read from offset 0, so that records before
   * its beginning are a gap. After a reset, from the earliest retained offset: records before it
   * are gone, and checkpoints that counted them are dropped once the target has caught up.
   */
  @Override
  protected Map<TopicPartition, Long> startOffsets(List<TopicPartition> added) {
    if (share != null) {
      // Claimed before the offsets are read, as a target of its own claims itself whole.
      List<String> owned = new ArrayList<>();
      for (TopicPartition partition : added) {
        if (coordinating() || !settings.isStateTopic(partition.topic())) {
          owned.add(TargetConsumer.key(partition));
        }
      }
      stored = new HashMap<>(loader.claimShare(settings.name(), owned, holder()));
      sharedStored = Map.copyOf(stored);
    }
    Map<TopicPartition, Long> beginnings = null;
    Map<TopicPartition, Long> start = new LinkedHashMap<>();
    for (TopicPartition partition : added) {
      String key = TargetConsumer.key(partition);
      StoredOffset offset = stored.get(key);
      if (offset != null && offset.nextOffset() == FROM_START) {
        if (beginnings == null) {
          beginnings = consumer.beginningOffsets(added);
        }
        long beginning = beginnings.getOrDefault(partition, 0L);
        if (beginning > 0) {
          lost.gapSkipped();
        }
        offset = new StoredOffset(beginning, offset.appliedPerSync());
      }
      if (settings.isStateTopic(partition.topic())) {
        StateTopicProgress progress = new StateTopicProgress(offset, 0);
        stateTopics.put(partition.topic(), progress);
        start.put(partition, progress.seekOffset());
      } else {
        start.put(partition, offset == null ? 0 : offset.nextOffset());
        if (offset != null) {
          loader.counts().restoreApplied(key, replayGuard.restore(key, offset.appliedPerSync()));
        }
      }
    }
    return start;
  }

  private void handleStateEvent(ConsumerRecord<byte[], byte[]> record) {
    StateTopicProgress progress = stateTopics.get(record.topic());
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    positions.put(partition, record.offset() + 1);
    positionsDirty = true;
    StateEvent event;
    try {
      event = values.event(record.value());
      if (event == null && record.value() != null) {
        throw new IOException("neither JSON nor registry-framed Avro of a state event");
      }
    } catch (io.akb.runtime.AkbException e) {
      throw e; // framed by a registry that cannot give the schema: never skipped
    } catch (IOException | RuntimeException e) {
      log.warn(
          "Target {} skips state event {}/{}@{}: not a state event ({})",
          settings.name(),
          record.topic(),
          record.partition(),
          record.offset(),
          e.getMessage());
      progress.read(record.offset());
      return;
    }
    if (event == null || event.type() == null || event.syncId() == null) {
      progress.read(record.offset());
      return;
    }
    boolean replayed = progress.alreadyApplied(event, record.offset());
    switch (event.type()) {
      case SYNC_STARTED -> {
        String sourceName =
            event.sourceName() != null ? event.sourceName() : sourceNameOf(record.topic());
        List<ConfiguredAirbyteStream> catalog =
            event.catalog() == null || event.catalog().streams() == null
                ? List.of()
                : event.catalog().streams();
        ActiveSync sync = new ActiveSync(event.syncId(), sourceName, catalog);
        syncs.put(event.syncId(), sync);
        runningTasksBySync
            .computeIfAbsent(event.syncId(), id -> new HashSet<>())
            .add(String.valueOf(event.task()));
        // Registering is idempotent, and a restarted bridge must register before writing; a
        // start applied before keeps the generation the cache already has.
        loader.syncStarted(
            sourceName, replayed ? null : event.syncId(), catalog, settings::strategyFor);
        if (coordinating()) {
          for (String older : progress.abandonedBy(event)) {
            abandon(older, event, record.topic(), record.offset());
          }
        } else {
          // The latest start of its tasks: the sync is over once the coordinator is past it.
          syncStarts.merge(
              event.syncId(),
              Map.entry(TargetConsumer.key(partition), record.offset()),
              (a, b) -> a.getValue() >= b.getValue() ? a : b);
        }
        progress.started(event, record.offset());
        releaseWaitingPartitions();
      }
      case CHECKPOINT, SYNC_COMPLETED -> {
        if (!coordinating()) {
          progress.read(record.offset()); // the coordinator applies it
        } else if (!replayed && finishedSyncs.contains(event.syncId())) {
          // A sync settled as failed (LostCheckpoints): its late events cannot complete either.
          log.warn(
              "Target {} drops {} {} of sync {}: the sync has already ended",
              settings.name(),
              event.type(),
              event.seq() == null ? "" : event.seq(),
              event.syncId());
          checkpointsDropped++;
          progress.read(record.offset());
        } else if (replayed) {
          if (event.type() == StateEvent.Type.SYNC_COMPLETED) {
            progress.completedEarlier(event, record.offset());
            finishSyncTask(event);
          } else {
            // Applied before a restart: its counts are the next checkpoint's baseline.
            proveCount(new PendingEvent(record.topic(), record.offset(), event), true);
            progress.read(record.offset());
          }
        } else {
          PendingEvent pending = new PendingEvent(record.topic(), record.offset(), event);
          String sourceName = sourceNameOfSync(event.syncId(), record.topic());
          if (event.type() == StateEvent.Type.CHECKPOINT) {
            loader.checkpoint(sourceName, event.syncId(), event.state(), event.counts(), pending);
          } else {
            loader.syncCompleted(
                sourceName,
                event.syncId(),
                StateEvent.SYNC_SUCCEEDED.equals(event.status()),
                event.counts(),
                pending);
          }
          progress.awaiting(record.offset());
        }
      }
      case STREAM_STATUS -> progress.read(record.offset());
    }
  }

  /**
   * Adds a record to the batch; returns false when its sync has not started yet (its {@code
   * SYNC_STARTED} is still unread), in which case the partition waits at this record.
   */
  private boolean handleRecord(ConsumerRecord<byte[], byte[]> record, TopicPartition partition) {
    String syncId = syncIdHeader.of(record);
    String streamName = streamHeader.of(record);
    positions.put(partition, record.offset() + 1);
    positionsDirty = true;
    if (syncId == null || streamName == null || record.value() == null) {
      skip(record, "it lacks the airbyte.sync_id or airbyte.stream header, or a value");
      return true;
    }
    ActiveSync sync = syncs.get(syncId);
    if (sync == null && finishedSyncs.contains(syncId)) {
      skip(record, "its sync " + syncId + " has already completed with fewer records");
      return true;
    }
    if (sync == null) {
      // Its SYNC_STARTED is behind on the state topic: read on from here once it arrives.
      positions.put(partition, record.offset());
      consumer.seek(partition, record.offset());
      consumer.pause(List.of(partition));
      waitingForSync.add(partition);
      return false;
    }
    ConfiguredAirbyteStream stream = sync.stream(streamName, namespaceHeader.of(record));
    if (stream == null) {
      skip(record, "stream '" + streamName + "' is not in the catalog of sync " + syncId);
      return true;
    }
    JsonNode data;
    JsonNode changes = null;
    try {
      data = values.decode(record.value());
      String meta = metaHeader.of(record);
      if (meta != null) {
        // The same text for most records of a run (no change); the tree is only read, never
        // changed, so records may share it.
        if (meta != lastMetaText) {
          lastMeta = AirbyteJson.MAPPER.readTree(meta);
          lastMetaText = meta;
        }
        changes = lastMeta;
      }
    } catch (IOException e) {
      skip(record, "its value is not JSON (" + e.getMessage() + ")");
      return true;
    }
    String partitionKey =
        partitionKeys.computeIfAbsent(
            partition, p -> StateEvent.countsKey(p.topic(), p.partition()));
    CacheRecord cacheRecord =
        new CacheRecord(
            rawId(partitionKey, record.offset()), syncId, data, record.timestamp(), changes);
    String table = stream.stream().name();
    loader.record(
        sync.sourceName(),
        table,
        partitionKey,
        record.offset(),
        cacheRecord,
        record.serializedValueSize(),
        replayGuard.mayRepeat(partitionKey, record.offset()));
    StreamProgress progress = streamProgress.computeIfAbsent(table, name -> new StreamProgress());
    progress.sourceName = sync.sourceName();
    progress.recordsApplied++;
    topicOfStream.putIfAbsent(stream.stream().descriptor().qualifiedName(), record.topic());
    return true;
  }

  /**
   * The {@code _airbyte_raw_id} of a record: derived from where it sits in Kafka, so replaying the
   * same record after a crash gives the same id.
   */
  static String rawId(String topic, int partition, long offset) {
    return rawId(StateEvent.countsKey(topic, partition), offset);
  }

  /**
   * {@link #rawId(String, int, long)} of the record at {@code offset} of {@code partitionKey}
   * ({@code topic/partition}): the loader's {@link CacheLoader.RawIds}, which names the rows a
   * failed sync takes back by their offsets. The format is unchanged since the first release (a
   * name-based UUID of {@code topic/partition/offset}), so the rows of existing caches keep the ids
   * a replay or a failed sync looks for; the loader enumerates the offsets it needs instead of
   * relying on ids ordered like offsets.
   */
  static String rawId(String partitionKey, long offset) {
    return UUID.nameUUIDFromBytes((partitionKey + "/" + offset).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  private void skip(ConsumerRecord<byte[], byte[]> record, String why) {
    skippedRecords++;
    log.warn(
        "Target {} skips record {}/{}@{}: {}",
        settings.name(),
        record.topic(),
        record.partition(),
        record.offset(),
        why);
  }

  private void releaseWaitingPartitions() {
    if (waitingForSync.isEmpty()) {
      return;
    }
    if (phase != Phase.PAUSED) {
      consumer.resume(waitingForSync);
    }
    waitingForSync.clear();
  }

  /** Writes the batch, the checkpoints it completes and all positions in one transaction. */
  private void flush() {
    if (share != null && !loader.claimed()) {
      throw new IllegalStateException(
          "target " + settings.name() + " would write before claiming its partitions");
    }
    long started = System.nanoTime();
    CacheLoader.Flushed<PendingEvent> flushed = loader.flush(this::applied, this::offsetsToStore);
    // A failed transaction rolled back and threw: run() then starts over from the stored offsets,
    // since what this run holds in memory is ahead of the cache.
    positionsDirty = false;
    recordsApplied.addAndGet(flushed.records());
    long nanos = System.nanoTime() - started;
    if (flushed.records() > 0) {
      Instant now = Instant.now();
      if (lastBatchAt != null) {
        double seconds = Math.max(1e-3, Duration.between(lastBatchAt, now).toNanos() / 1e9);
        recordsPerSecond = flushed.records() / seconds;
      }
      lastBatchAt = now;
    }
    observer.batchCommitted(flushed.records(), flushed.bytes(), nanos);
    succeeded();
    TargetConsumer.commitQuietly(consumer, positions, settings.name());
  }

  /**
   * In the flush's transaction, before the offsets: the state topics move past what it writes, then
   * the settling syncs are settled.
   */
  private void applied(List<CacheLoader.Checkpoint<PendingEvent>> written) {
    for (CacheLoader.Checkpoint<PendingEvent> checkpoint : written) {
      PendingEvent pending = checkpoint.tag();
      if (checkpoint.kind() == CacheLoader.Kind.CHECKPOINT) {
        proveCount(pending, false);
      }
      if (checkpoint.state() != null) {
        noteCheckpoint(checkpoint.sourceName(), checkpoint.state());
      }
      stateTopics.get(pending.stateTopic()).applied(pending.event(), pending.offset());
      if (checkpoint.kind() == CacheLoader.Kind.SYNC_COMPLETED) {
        finishSyncTask(pending.event());
      }
    }
    if (!settling.isEmpty()) {
      settle();
    }
  }

  /**
   * The count proof of a checkpoint being written ({@link CountProof}): kept for the status, and a
   * warning with both numbers when they differ. One {@code applied} before a restart only gives the
   * next checkpoint its baseline.
   */
  private void proveCount(PendingEvent pending, boolean appliedBefore) {
    StateEvent event = pending.event();
    AirbyteStateMessage state = event.state();
    boolean perStream =
        state != null && state.effectiveType() == AirbyteStateType.STREAM && state.stream() != null;
    StreamDescriptor stream = perStream ? state.stream().streamDescriptor() : null;
    String topic = stream == null ? null : recordTopicOf(stream, pending.stateTopic());
    CountProof.Result result =
        countProof.check(
            event.syncId(),
            state,
            event.counts(),
            partition -> partition.substring(0, partition.lastIndexOf('/')).equals(topic));
    if (result == null || appliedBefore) {
      return;
    }
    String name = stream == null ? "every stream" : "stream " + stream.qualifiedName();
    if (!result.matches()) {
      log.warn(
          "Target {}: CHECKPOINT {} of sync {} ({}): the source counted {} records, the target"
              + " applied {}",
          settings.name(),
          event.seq(),
          event.syncId(),
          name,
          result.sourceCount(),
          result.applied());
    }
    List<StreamProgress> proven = new ArrayList<>();
    if (stream != null) {
      proven.add(streamProgress.computeIfAbsent(stream.name(), n -> new StreamProgress()));
    } else {
      proven.addAll(streamProgress.values());
    }
    for (StreamProgress progress : proven) {
      progress.lastCheckpointSourceCount = result.sourceCount();
      progress.lastCheckpointRecords = result.applied();
      if (!result.matches()) {
        progress.countMismatches++;
      }
    }
  }

  /** A stream's record topic: as its records showed it, else as the contract names it. */
  private String recordTopicOf(StreamDescriptor stream, String stateTopic) {
    String seen = topicOfStream.get(stream.qualifiedName());
    if (seen != null) {
      return seen;
    }
    String prefix = stateTopic.substring(0, stateTopic.length() - "_state".length());
    return TopicNames.recordTopic(prefix, stream.namespace(), stream.name());
  }

  private void noteCheckpoint(String sourceName, AirbyteStateMessage state) {
    Instant now = Instant.now();
    if (state.effectiveType() == AirbyteStateType.STREAM && state.stream() != null) {
      String stream = state.stream().streamDescriptor().name();
      StreamProgress progress =
          streamProgress.computeIfAbsent(stream, name -> new StreamProgress());
      progress.sourceName = sourceName;
      progress.lastState = AirbyteJson.MAPPER.valueToTree(state);
      progress.lastCheckpointAt = now;
    } else {
      // A GLOBAL or LEGACY state checkpoints every stream of the source.
      for (StreamProgress progress : streamProgress.values()) {
        if (sourceName.equals(progress.sourceName)) {
          progress.lastState = AirbyteJson.MAPPER.valueToTree(state);
          progress.lastCheckpointAt = now;
        }
      }
    }
  }

  /** A task finished its sync; once every task of the sync has, its counts are dropped. */
  private void finishSyncTask(StateEvent event) {
    Set<String> tasks = runningTasksBySync.get(event.syncId());
    if (tasks != null) {
      tasks.remove(String.valueOf(event.task()));
      if (tasks.isEmpty()) {
        finishSync(event.syncId());
      }
    }
  }

  /** A sync is over for this target: its catalog and counts go, late events of it are dropped. */
  private void finishSync(String syncId) {
    runningTasksBySync.remove(syncId);
    syncs.remove(syncId);
    finishedSyncs.add(syncId);
    countProof.forget(syncId);
    loader.forgetSync(syncId);
  }

  private Map<String, StoredOffset> offsetsToStore() {
    Map<String, StoredOffset> offsets = new LinkedHashMap<>();
    positions.forEach(
        (partition, next) -> {
          String key = TargetConsumer.key(partition);
          StateTopicProgress progress = stateTopics.get(partition.topic());
          if (progress != null) {
            if (coordinating()) {
              offsets.put(key, progress.toStored());
            }
          } else {
            offsets.put(
                key,
                new StoredOffset(
                    next, replayGuard.store(key, next, loader.counts().appliedPerSync(key))));
          }
        });
    stored.putAll(offsets);
    return offsets;
  }

  /**
   * Rewinds every assigned partition to its earliest retained offset, in the cache. The rows
   * already in the cache stay: raw ids are derived from the records' offsets, and up to the old
   * positions the records go through the cache's guarded write ({@link ReplayGuard}), so no stream
   * gets a row twice. What was read and not written yet is dropped: the replay reads it again.
   */
  @Override
  protected void rewind() {
    openCache("resetting target '" + settings.name() + "'");
    if (share != null) {
      throw new AkbException(
          "resetting target '" + settings.name() + "'",
          "it is shared by several bridge processes, and a reset must rewind all its partitions at"
              + " once",
          "Stop the target's other bridge processes, reset it on the one left, then start the"
              + " others again.");
    }
    Map<String, Long> before = new HashMap<>();
    stored.forEach(
        (key, offset) -> {
          if (!settings.isStateTopic(TargetConsumer.partitionOf(key).topic())) {
            before.put(key, offset.nextOffset());
          }
        });
    replayGuard.reset(before);
    Map<String, StoredOffset> rewound = new LinkedHashMap<>();
    Set<String> keys = new HashSet<>(stored.keySet());
    consumer.assignment().forEach(partition -> keys.add(TargetConsumer.key(partition)));
    for (String key : keys) {
      rewound.put(key, new StoredOffset(FROM_START, replayGuard.store(key, FROM_START, Map.of())));
    }
    loader.rewind(rewound);
    stored = new HashMap<>(rewound);
    streamProgress.clear();
  }

  private String sourceNameOfSync(String syncId, String stateTopic) {
    ActiveSync sync = syncs.get(syncId);
    return sync != null ? sync.sourceName() : sourceNameOf(stateTopic);
  }

  /** A source's name when its SYNC_STARTED does not give one: its topic prefix. */
  private static String sourceNameOf(String stateTopic) {
    String prefix = stateTopic.substring(0, stateTopic.length() - "_state".length());
    if (prefix.startsWith("airbyte.")) {
      prefix = prefix.substring("airbyte.".length());
    }
    return prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
  }

  @Override
  protected TargetStatus status(long lag) {
    List<TargetStatus.StreamStatus> streams = new ArrayList<>();
    streamProgress.forEach(
        (name, progress) ->
            streams.add(
                new TargetStatus.StreamStatus(
                    name,
                    progress.sourceName,
                    progress.recordsApplied,
                    progress.lastState,
                    progress.lastCheckpointAt,
                    progress.lastCheckpointSourceCount,
                    progress.lastCheckpointRecords,
                    progress.countMismatches)));
    return new TargetStatus(
        settings.name(),
        settings.cache().describe(),
        null,
        phase,
        lastError,
        lag,
        recordsApplied.get(),
        recordsPerSecond,
        skippedRecords,
        loader == null ? 0 : loader.waiting().size(),
        waitingForSync.size(),
        lastBatchAt,
        gaps,
        checkpointsDropped,
        streams);
  }

  @Override
  protected long behind(TopicPartition partition, long endOffset) {
    return Math.max(0, endOffset - positions.get(partition));
  }

  @Override
  protected long unwritten() {
    return loader == null ? 0 : loader.bufferedRecords();
  }

  @Override
  protected void closeWriter() {
    values.close();
    SqlCache currentCache = cache;
    cache = null;
    if (currentCache != null) {
      try {
        currentCache.close();
      } catch (RuntimeException e) {
        log.debug("Closing the cache of target {}", settings.name(), e);
      }
    }
    // In-memory progress is only valid with the cache it was read from.
    loader = null;
    forgetProgress();
  }

  /** A shared target's rebalance: what was read is written; the next partitions start afresh. */
  @Override
  protected void partitionsReleased() {
    if (cache != null) {
      loader = new CacheLoader<>(cache, TargetReplicator::rawId);
    }
    forgetProgress();
  }

  /** Forgets what was read: the next partitions are read from their stored offsets. */
  private void forgetProgress() {
    stored = new HashMap<>();
    sharedStored = Map.of();
    syncStarts.clear();
    syncs.clear();
    runningTasksBySync.clear();
    finishedSyncs.clear();
    stateTopics.clear();
    waitingForSync.clear();
    positionsDirty = false;
    lost.clear();
    replayGuard.clear();
    countProof.clear();
    settling = Set.of();
    gapsToReport = null;
  }

  @Override
  public String toString() {
    return "target " + settings.name();
  }
}
