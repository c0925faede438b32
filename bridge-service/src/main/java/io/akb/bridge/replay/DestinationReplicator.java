package io.akb.bridge.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.StoredOffset;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.Destination;
import io.akb.runtime.destination.ConfirmedState;
import io.akb.runtime.destination.TopicDestinationFeed;
import io.akb.runtime.destination.TopicDestinationFeed.Position;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateType;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicCatalog;
import io.akb.runtime.topic.TopicRecord;
import io.akb.runtime.topic.TopicStreamRouter;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one Airbyte destination up to date from the topics of its sources, at least once: the
 * {@link ReplayLoop}'s writer for a destination, and the bridge's side of {@link
 * TopicDestinationFeed}, which the Kafka Connect sink uses too.
 *
 * <p>Contract, beyond the loop's:
 *
 * <ul>
 *   <li>The destination's catalog is the streams of the {@code SYNC_STARTED} events on the state
 *       topics, read from their start at each (re)start (phase WAITING while there is none); a
 *       record of a stream the catalog lacks makes the target finish the destination's run and
 *       start it again with the new catalog.
 *   <li>Every batch ends with a STATE carrying the offsets read so far; only once the destination
 *       echoes it are those offsets stored, in the bridge's {@link BridgeStateStore} under the
 *       target's name. A restart (of the bridge, or of the target after a failure) seeks to the
 *       stored offsets, so no record is lost and a record the destination did not confirm is sent
 *       again.
 *   <li>A destination that exits, reports an error or does not echo a state within the echo timeout
 *       fails the target (phase FAILED, the error with its last log lines), and the loop starts it
 *       again after its backoff.
 *   <li>With {@code on-gap=fail}, records gone fail the target at once.
 * </ul>
 */
public final class DestinationReplicator extends ReplayLoop {
  private static final Logger log = LoggerFactory.getLogger(DestinationReplicator.class);
  private static final Duration CATALOG_READ_LIMIT = Duration.ofMinutes(2);

  /**
   * A stored offset that reads a partition from its earliest retained record, whatever it is (a
   * reset): -1, so that it is not taken for offset 0 and the records before the earliest retained
   * one are not reported as gone again.
   */
  private static final StoredOffset FROM_START = new StoredOffset(-1, Map.of());

  private final DestinationSettings destinationSettings;
  private final BridgeStateStore store;
  private final AtomicLong recordsConfirmed = new AtomicLong();

  /** The newest positions the destination confirmed, set on its reader thread, stored here. */
  private final AtomicReference<Map<String, Position>> confirmedToStore = new AtomicReference<>();

  /** Records sent per stream, for the status. */
  private final Map<String, AtomicLong> recordsPerStream = new ConcurrentHashMap<>();

  /** The last source state the destination confirmed, per stream (null key: GLOBAL or LEGACY). */
  private final Map<String, JsonNode> lastSourceStates = new ConcurrentHashMap<>();

  private volatile Instant lastConfirmedAt;

  // Owned by the replay thread.
  private Destination destination;
  private TopicDestinationFeed feed;
  private ConfiguredAirbyteCatalog catalog;
  private TopicStreamRouter router;
  private final Set<String> unknownAfterRefresh = new HashSet<>();
  private Map<String, StoredOffset> stored = Map.of();

  /** Where the feed starts, per partition, until it is created on the first assignment. */
  private Map<String, Position> start;

  /** Partitions whose records gone were skipped: checkpoints waiting on them never complete. */
  private final Set<String> gapPartitions = new HashSet<>();

  private long nextSettleCheck;
  private long checkpointsDropped;
  private int handedOverSinceState;
  private long oldestUnsentNanos;
  private double recordsPerSecond;
  private Instant lastRateAt;
  private long lastRateRecords;

  private final RecordValues values;

  public DestinationReplicator(
      TargetSettings settings, BridgeStateStore store, BatchObserver observer) {
    super(settings, observer);
    this.values = new RecordValues(settings);
    if (settings.destination() == null) {
      throw new IllegalArgumentException("target " + settings.name() + " has no destination");
    }
    this.destinationSettings = settings.destination();
    this.store = store;
  }

  @Override
  public long recordsApplied() {
    return recordsConfirmed.get();
  }

  /**
   * Finishes the destination's run and rewinds the target's stored offsets to the earliest retained
   * ones: the destination gets every retained record once more. A target that is waiting for its
   * first sync or for its next attempt after a failure is rewound too, and reads from the start
   * when it opens.
   */
  @Override
  protected void rewind() {
    finishRun();
    // Offset 0 reads as the beginning: a seek never goes below the earliest retained one.
    Map<String, StoredOffset> rewound = new LinkedHashMap<>();
    store.load(settings.name()).keySet().forEach(key -> rewound.put(key, FROM_START));
    positions.keySet().forEach(p -> rewound.put(TargetConsumer.key(p), FROM_START));
    // A target FAILED on records gone may have stored nothing for those partitions yet.
    gaps.forEach(gap -> rewound.put(gap.partitionKey(), FROM_START));
    store.save(settings.name(), rewound);
    stored = new HashMap<>(rewound);
  }

  /**
   * Reads the catalog and starts the destination; why it waits when no source has started a sync
   * yet (the target looks again).
   */
  @Override
  protected String openWriter() {
    if (destination == null) {
      // Installs the connector (a venv) and checks the config against its spec, once.
      destination =
          Airbyte.getDestination(
              destinationSettings.name(),
              destinationSettings.config(),
              destinationSettings.options());
    }
    stored = new HashMap<>(store.load(settings.name()));
    catalog = readCatalog(TargetConsumer.partitionsToRead(consumer, settings, Set.of()));
    if (catalog.streams().isEmpty()) {
      return "waiting for a SYNC_STARTED event on the state topics of "
          + settings.sourcePrefixes()
          + settings.topics()
          + " (no source has started a sync yet)";
    }
    router =
        new TopicStreamRouter(
            catalog,
            Map.of(),
            settings.sourcePrefixes().size() == 1 ? settings.sourcePrefixes().get(0) : null);
    start = new LinkedHashMap<>();
    handedOverSinceState = 0;
    oldestUnsentNanos = 0;
    return null;
  }

  /** The feed starts with the first partitions assigned, from the positions they start at. */
  @Override
  protected void assigned(List<TopicPartition> added) {
    if (feed != null) {
      return;
    }
    feed =
        new TopicDestinationFeed(
            destination,
            catalog,
            router,
            destinationSettings.passSourceStates(),
            true, // the state store keeps the counts: a restart completes waiting checkpoints
            start,
            this::confirmed);
    log.info(
        "Target {} writes streams {} into {}",
        settings.name(),
        router.streamNames(),
        destination.describe());
  }

  /** The streams of every SYNC_STARTED on the state topics, from their start to their end now. */
  private ConfiguredAirbyteCatalog readCatalog(List<TopicPartition> partitions) {
    List<TopicPartition> statePartitions =
        partitions.stream().filter(p -> settings.isStateTopic(p.topic())).toList();
    List<StateEvent> started = new ArrayList<>();
    if (!statePartitions.isEmpty()) {
      consumer.assign(statePartitions);
      consumer.seekToBeginning(statePartitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(statePartitions);
      long deadline = System.nanoTime() + CATALOG_READ_LIMIT.toNanos();
      while (!reached(end)) {
        if (stopping()) {
          throw new Restart("stopping");
        }
        if (System.nanoTime() > deadline) {
          throw new AkbException(
              "reading the catalog of target '" + settings.name() + "'",
              "the end of its state topics was not reached within "
                  + CATALOG_READ_LIMIT.toMinutes()
                  + " min",
              "Check that the brokers in akb.kafka.bootstrap-servers are reachable.");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
          StateEvent event = values.event(record.value());
          if (event != null && event.type() == StateEvent.Type.SYNC_STARTED) {
            started.add(event);
          }
        }
      }
      consumer.assign(List.of()); // the loop assigns every partition at its stored offset
    }
    return TopicCatalog.merge(
        started,
        stream ->
            DestinationSettings.syncMode(settings.strategyFor(stream.stream().name()), stream));
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Each partition from its stored offset (0 when never read; its beginning after a reset); the
   * feed starts from there. Records gone before that offset are a gap.
   */
  @Override
  protected Map<TopicPartition, Long> startOffsets(List<TopicPartition> added) {
    Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(added);
    Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
    for (TopicPartition partition : added) {
      StoredOffset offset = stored.get(TargetConsumer.key(partition));
      long seekTo = offset == null ? 0 : offset.nextOffset();
      if (seekTo < 0) {
        seekTo = beginnings.getOrDefault(partition, 0L); // FROM_START
        if (seekTo > 0) {
          // A reset reads on from the first record there is: the ones before it are gone.
          gapPartitions.add(TargetConsumer.key(partition));
        }
      }
      offsets.put(partition, seekTo);
      if (offset != null && feed == null) {
        start.put(TargetConsumer.key(partition), new Position(seekTo, offset.appliedPerSync()));
      }
    }
    return offsets;
  }

  /** With {@code on-gap=fail}: at once, the target stands FAILED until it is reset. */
  @Override
  protected void gapsFound(List<RecordGap> found) {
    throw RecordGap.failure(settings.name(), found, List.of());
  }

  @Override
  protected void gapsSkipped(List<RecordGap> skipped) {
    super.gapsSkipped(skipped);
    skipped.forEach(gap -> gapPartitions.add(gap.partitionKey()));
    if (feed == null) {
      for (RecordGap gap : skipped) {
        start.computeIfPresent(
            gap.partitionKey(),
            (key, position) -> new Position(gap.resumeAt(), position.appliedPerSync()));
      }
    }
  }

  @Override
  protected void afterPoll(boolean caughtUp) {
    if (handedOverSinceState > 0
        && (caughtUp
            || System.nanoTime() - oldestUnsentNanos >= settings.batchMaxWait().toNanos())) {
      sendPositions();
    }
    if (feed != null) {
      feed.checkHealthy();
      feed.checkEchoes(destinationSettings.stateEchoTimeout());
      dropWhatCanNeverComplete(caughtUp);
    }
    storeConfirmed();
  }

  /**
   * After a skipped gap, once the target has read every partition to its end: the checkpoints and
   * sync ends still lacking records of the gaps' partitions can never complete, and are dropped
   * with a warning instead of holding the state topics forever.
   */
  private void dropWhatCanNeverComplete(boolean caughtUp) {
    if (gapPartitions.isEmpty() || !caughtUp || System.nanoTime() < nextSettleCheck) {
      return;
    }
    nextSettleCheck = System.nanoTime() + LAG_CHECK_INTERVAL.toNanos();
    if (!TargetConsumer.readToEnd(consumer, consumer.assignment())) {
      return;
    }
    for (StateEvent event : feed.dropWaitingOn(gapPartitions)) {
      checkpointsDropped++;
      log.warn(
          "Target {} drops {}{} of sync {}: it can never complete (records gone)",
          settings.name(),
          event.type(),
          event.seq() == null ? "" : " " + event.seq(),
          event.syncId());
    }
    gapPartitions.clear();
  }

  /** What was read gets confirmed and stored while the target rests (or stands FAILED). */
  @Override
  protected void writeWhatWasRead() {
    if (feed != null) {
      sendPositions();
    }
  }

  /** A graceful stop: what was sent is confirmed and stored. */
  @Override
  protected void finish() {
    finishRun();
  }

  /**
   * Ends a batch: a STATE with the offsets handed over, confirmed once the destination echoes it.
   */
  private void sendPositions() {
    feed.sendPositions();
    handedOverSinceState = 0;
  }

  @Override
  protected boolean handle(ConsumerRecord<byte[], byte[]> record) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    JsonNode value;
    try {
      value =
          record.value() == null ? AirbyteJson.MAPPER.nullNode() : values.decode(record.value());
    } catch (IOException e) {
      value = null;
    }
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) {
      if (header.value() != null) {
        headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
      }
    }
    TopicRecord topicRecord =
        new TopicRecord(
            record.topic(),
            record.partition(),
            record.offset(),
            record.timestamp() >= 0 ? record.timestamp() : null,
            headers,
            value);
    if (isStateTopic(record.topic())) {
      StateEvent event = feed.stateEvent(topicRecord);
      if (bringsNewStreams(event)) {
        unknownAfterRefresh.clear(); // their records may start the destination again
      }
    } else if (value == null) {
      skip(topicRecord, "its value is not JSON");
    } else {
      StreamDescriptor stream = router.streamOf(topicRecord);
      if (router.find(stream) == null && unknownAfterRefresh.add(stream.qualifiedName())) {
        // A stream started after the catalog was read: start again with the newer catalog. The
        // record is not handed over, so the next run reads it again.
        finishRun();
        throw new Restart("stream '" + stream.qualifiedName() + "' is new");
      }
      String rejected = feed.write(topicRecord);
      if (rejected != null) {
        skipped(topicRecord, rejected);
      } else {
        recordsPerStream
            .computeIfAbsent(stream.qualifiedName(), name -> new AtomicLong())
            .incrementAndGet();
      }
    }
    positions.put(partition, record.offset() + 1);
    if (handedOverSinceState++ == 0) {
      oldestUnsentNanos = System.nanoTime();
    }
    if (handedOverSinceState >= settings.batchMaxRecords()) {
      sendPositions();
    }
    return true;
  }

  private boolean bringsNewStreams(StateEvent event) {
    return event != null
        && event.type() == StateEvent.Type.SYNC_STARTED
        && event.catalog() != null
        && event.catalog().streams() != null
        && event.catalog().streams().stream()
            .anyMatch(stream -> router.find(stream.stream().descriptor()) == null);
  }

  private void skip(TopicRecord record, String why) {
    feed.skip(record);
    skipped(record, why);
  }

  private void skipped(TopicRecord record, String why) {
    skippedRecords++;
    log.warn("Target {} skips record {}: {}", settings.name(), record.where(), why);
  }

  /** Reader thread of the destination: confirmed positions wait for the replay thread to store. */
  private void confirmed(ConfirmedState state, Map<String, Position> confirmedPositions) {
    confirmedToStore.set(confirmedPositions);
    lastConfirmedAt = Instant.now();
    succeeded();
    if (!TopicDestinationFeed.isPositionsState(state.state())) {
      JsonNode json = AirbyteJson.MAPPER.valueToTree(state.state());
      String stream =
          state.state().effectiveType() == AirbyteStateType.STREAM && state.state().stream() != null
              ? state.state().stream().streamDescriptor().name()
              : null;
      lastSourceStates.put(stream == null ? "" : stream, json);
    }
  }

  /** Stores the newest confirmed positions, and lets Kafka's tools see them. */
  private void storeConfirmed() {
    Map<String, Position> confirmedPositions = confirmedToStore.getAndSet(null);
    if (confirmedPositions == null) {
      return;
    }
    long started = System.nanoTime();
    Map<String, StoredOffset> offsets = new LinkedHashMap<>();
    confirmedPositions.forEach(
        (key, position) ->
            offsets.put(key, new StoredOffset(position.nextOffset(), position.appliedPerSync())));
    long newlyConfirmed = 0;
    for (Map.Entry<String, StoredOffset> entry : offsets.entrySet()) {
      if (!stateTopicKey(entry.getKey())) {
        StoredOffset before = stored.get(entry.getKey());
        // FROM_START (-1) counts as 0.
        newlyConfirmed +=
            Math.max(0, entry.getValue().nextOffset() - (before == null ? 0 : before.nextOffset()));
      }
    }
    store.save(settings.name(), offsets);
    stored.putAll(offsets);
    recordsConfirmed.addAndGet(newlyConfirmed);
    observer.batchCommitted((int) newlyConfirmed, 0, System.nanoTime() - started);
    if (consumer != null) {
      Map<TopicPartition, Long> nextOffsets = new HashMap<>();
      offsets.forEach(
          (key, offset) -> nextOffsets.put(TargetConsumer.partitionOf(key), offset.nextOffset()));
      TargetConsumer.commitQuietly(consumer, nextOffsets, settings.name());
    }
  }

  private boolean stateTopicKey(String key) {
    return settings.isStateTopic(TargetConsumer.partitionOf(key).topic());
  }

  /** Sends what is left, ends the destination's input and waits for its last echo. */
  private void finishRun() {
    if (feed != null) {
      TopicDestinationFeed finishing = feed;
      feed = null;
      try {
        finishing.finish(destinationSettings.finishTimeout());
      } finally {
        finishing.close();
        storeConfirmed();
      }
    }
  }

  @Override
  protected TargetStatus status(long lag) {
    Instant now = Instant.now();
    if (lastRateAt == null || Duration.between(lastRateAt, now).toSeconds() >= 1) {
      long confirmedNow = recordsConfirmed.get();
      if (lastRateAt != null) {
        double seconds = Math.max(1e-3, Duration.between(lastRateAt, now).toNanos() / 1e9);
        recordsPerSecond = (confirmedNow - lastRateRecords) / seconds;
      }
      lastRateAt = now;
      lastRateRecords = confirmedNow;
    }
    List<TargetStatus.StreamStatus> streams = new ArrayList<>();
    recordsPerStream.forEach(
        (name, sent) ->
            streams.add(
                new TargetStatus.StreamStatus(
                    name,
                    null,
                    sent.get(),
                    lastSourceStates.getOrDefault(name, lastSourceStates.get("")),
                    lastSourceStates.isEmpty() ? null : lastConfirmedAt,
                    null,
                    null,
                    0)));
    return new TargetStatus(
        settings.name(),
        null,
        destinationSettings.name(),
        phase,
        lastError,
        lag,
        recordsConfirmed.get(),
        recordsPerSecond,
        skippedRecords,
        feed == null ? 0 : feed.checkpointsPending(),
        0,
        lastConfirmedAt,
        gaps,
        checkpointsDropped,
        streams);
  }

  /** Records after the offset the destination confirmed. */
  @Override
  protected long behind(TopicPartition partition, long endOffset) {
    StoredOffset confirmedOffset = stored.get(TargetConsumer.key(partition));
    long confirmed = confirmedOffset == null ? 0 : Math.max(0, confirmedOffset.nextOffset());
    return Math.max(0, endOffset - confirmed);
  }

  @Override
  protected void closeWriter() {
    values.close();
    TopicDestinationFeed currentFeed = feed;
    feed = null;
    gapPartitions.clear(); // the next run finds the gaps again from the stored offsets
    try {
      if (currentFeed != null) {
        currentFeed.close();
      }
    } finally {
      storeConfirmed();
    }
  }

  @Override
  public String toString() {
    return "destination target " + settings.name();
  }
}
