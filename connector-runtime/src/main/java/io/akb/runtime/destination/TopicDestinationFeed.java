package io.akb.runtime.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.Destination;
import io.akb.runtime.WriteResult;
import io.akb.runtime.protocol.AirbyteGlobalState;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStateType;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.topic.CheckpointTracker;
import io.akb.runtime.topic.RecordHeaders;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicRecord;
import io.akb.runtime.topic.TopicStreamRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Feeds topics of the topic contract into one running Airbyte destination and tells which topic
 * positions the destination has confirmed: the one implementation behind the Kafka Connect sink and
 * the bridge's destination targets. Knows nothing of Kafka's or Connect's types: the reader hands
 * over {@link TopicRecord}s and stores or commits the {@link Position}s it is told.
 *
 * <p>Each record becomes a RECORD of its stream ({@link TopicStreamRouter}, {@link
 * TopicRecord#toAirbyteRecord}). {@link #sendPositions()} sends a STATE whose data carries, per
 * {@code topic/partition}, the next offset after everything handed over so far; every STATE sent
 * (that one, or a source's) stands for the positions at the moment it was sent, and when the
 * destination echoes it (everything before it is persisted) the {@link Listener} gets those
 * positions. A reader that stores or commits only confirmed positions never skips a record the
 * destination did not persist; after a crash it replays from them, so delivery is at least once.
 *
 * <p>With source states passed through, a {@code CHECKPOINT} event of a state topic waits until its
 * records have been handed over ({@link CheckpointTracker}), then its source STATE goes to the
 * destination right behind them. The position of a state topic stays at its oldest checkpoint still
 * waiting, and each position carries the records applied per sync, so a reader restarted from
 * confirmed positions ({@code start} in the constructor) completes the same checkpoints.
 *
 * <p>Contract: one thread hands records over and calls the other methods; only the listener runs on
 * the destination's reader thread. One feed is one destination process: after a failure, close it
 * and open a new feed from the confirmed positions.
 */
public final class TopicDestinationFeed implements AutoCloseable {
  /** The field of an offsets STATE's shared_state that holds {@code topic/partition -> offset}. */
  public static final String KAFKA_OFFSETS_FIELD = "kafka_offsets";

  /**
   * Where a reader stands in one topic partition.
   *
   * @param nextOffset the offset of the next record to read
   * @param appliedPerSync records of each sync handed over from this partition, for checkpoints
   */
  public record Position(long nextOffset, Map<String, Long> appliedPerSync) {
    public Position {
      appliedPerSync = appliedPerSync == null ? Map.of() : Map.copyOf(appliedPerSync);
    }
  }

  /** Told, on the destination's reader thread, of each STATE the destination echoed. */
  public interface Listener {
    /**
     * @param state the echoed state as it was sent: an offsets state or a source's
     * @param positions {@code topic/partition} to the position the state stands for
     */
    void confirmed(ConfirmedState state, Map<String, Position> positions);
  }

  /** A checkpoint or sync end waiting for its records. */
  private record Awaited(String partitionKey, long offset, StateEvent event) {}

  private final DestinationWriter writer;
  private final TopicStreamRouter router;
  private final boolean passSourceStates;
  private final boolean holdStateTopics;
  private final Listener listener;
  private final CheckpointTracker<Awaited> tracker = new CheckpointTracker<>();
  private final Map<String, Set<String>> runningTasksBySync = new HashMap<>();
  private final Map<String, Long> handedOver = new LinkedHashMap<>();
  private final Map<Long, Map<String, Position>> positionsByStateId = new ConcurrentHashMap<>();
  private long statesSent;
  private volatile long lastConfirmedId;
  private boolean handedOverSinceLastState;

  /**
   * Starts the destination's {@code write} with {@code catalog}.
   *
   * @param router finds each record's stream in the catalog
   * @param passSourceStates whether complete CHECKPOINTs pass their source STATE on
   * @param holdStateTopics whether a state topic's position stays at its oldest event still waiting
   *     for records: right for a reader that restores the counts of {@code start} on every restart;
   *     a reader that cannot (a Connect sink, whose committed offsets carry no counts) would hold
   *     its position forever at an event that can no longer complete
   * @param start confirmed positions a previous run stored, {@code topic/partition} to position;
   *     the reader seeks there, and checkpoint counts go on from them
   * @param listener told of each confirmed state; may be null
   */
  public TopicDestinationFeed(
      Destination destination,
      ConfiguredAirbyteCatalog catalog,
      TopicStreamRouter router,
      boolean passSourceStates,
      boolean holdStateTopics,
      Map<String, Position> start,
      Listener listener) {
    this.router = router;
    this.passSourceStates = passSourceStates;
    this.holdStateTopics = holdStateTopics;
    this.listener = listener == null ? (state, positions) -> {} : listener;
    start.forEach(
        (key, position) -> {
          handedOver.put(key, position.nextOffset());
          tracker.restoreApplied(key, position.appliedPerSync());
        });
    this.writer = destination.openWriter(catalog, this::onConfirmed);
  }

  /**
   * Sends a record to its stream, or rejects it; either way it counts as handed over (its offset is
   * passed, and it counts towards its sync's checkpoints), so the caller decides what a rejected
   * record means: a skip, a dead letter, a failure.
   *
   * @return null when the record was sent, else why it cannot be written
   * @throws io.akb.runtime.AkbException when the destination has failed; the record is not handed
   *     over then
   */
  public String write(TopicRecord record) {
    StreamDescriptor stream = router.streamOf(record);
    ConfiguredAirbyteStream configured = router.find(stream);
    String rejected = null;
    if (configured == null) {
      rejected =
          "stream '"
              + stream.qualifiedName()
              + "' is not in the destination's catalog (streams: "
              + router.streamNames()
              + ")";
    } else {
      try {
        writer.write(record.toAirbyteRecord(configured.stream().descriptor()));
      } catch (IllegalArgumentException notARecord) {
        rejected = notARecord.getMessage();
      }
    }
    handedOver(record);
    String syncId = record.header(RecordHeaders.SYNC_ID);
    if (syncId != null) {
      tracker.recordApplied(syncId, record.partitionKey());
    }
    passCompleteCheckpoints();
    return rejected;
  }

  /** A record the caller leaves out (a dead letter): handed over without being sent. */
  public void skip(TopicRecord record) {
    handedOver(record);
    String syncId = record.header(RecordHeaders.SYNC_ID);
    if (syncId != null) {
      tracker.recordApplied(syncId, record.partitionKey());
    }
    passCompleteCheckpoints();
  }

  /**
   * A value of a state topic: a {@code CHECKPOINT} waits for its records (when source states pass
   * through), a {@code SYNC_COMPLETED} lets the sync's counts go once they are all in.
   *
   * @return the event, or null when the value is not one
   */
  public StateEvent stateEvent(TopicRecord record) {
    handedOver(record);
    StateEvent event;
    try {
      event = AirbyteJson.convert(record.value(), StateEvent.class);
    } catch (RuntimeException notAnEvent) {
      return null;
    }
    if (event == null || event.type() == null || event.syncId() == null) {
      return null;
    }
    Awaited awaited = new Awaited(record.partitionKey(), record.offset(), event);
    switch (event.type()) {
      case SYNC_STARTED ->
          runningTasksBySync
              .computeIfAbsent(event.syncId(), id -> new HashSet<>())
              .add(String.valueOf(event.task()));
      case CHECKPOINT -> {
        if (passSourceStates && event.state() != null) {
          tracker.await(event.syncId(), event.counts(), awaited);
        }
      }
      case SYNC_COMPLETED -> tracker.await(event.syncId(), event.counts(), awaited);
      case STREAM_STATUS -> {}
    }
    passCompleteCheckpoints();
    return event;
  }

  private void handedOver(TopicRecord record) {
    handedOver.put(record.partitionKey(), record.offset() + 1);
    handedOverSinceLastState = true;
  }

  private void passCompleteCheckpoints() {
    for (Awaited complete : tracker.drainComplete()) {
      StateEvent event = complete.event();
      if (event.type() == StateEvent.Type.CHECKPOINT) {
        send(event.state());
      } else {
        finishSyncTask(event);
      }
    }
  }

  /** A task's sync ended with all its records in; once every task's has, its counts go. */
  private void finishSyncTask(StateEvent completed) {
    Set<String> tasks = runningTasksBySync.get(completed.syncId());
    if (tasks != null) {
      tasks.remove(String.valueOf(completed.task()));
    }
    if (tasks == null || tasks.isEmpty()) {
      runningTasksBySync.remove(completed.syncId());
      tracker.forgetSync(completed.syncId());
    }
  }

  /**
   * Sends a STATE carrying the positions of everything handed over since the last state, if
   * anything was.
   *
   * @return whether a state was sent
   */
  public boolean sendPositions() {
    if (!handedOverSinceLastState) {
      return false;
    }
    Map<String, Position> positions = positions();
    ObjectNode offsets = AirbyteJson.MAPPER.createObjectNode();
    positions.forEach((key, position) -> offsets.put(key, position.nextOffset()));
    ObjectNode shared = AirbyteJson.MAPPER.createObjectNode();
    shared.set(KAFKA_OFFSETS_FIELD, offsets);
    send(
        new AirbyteStateMessage(
            AirbyteStateType.GLOBAL,
            null,
            new AirbyteGlobalState(shared, List.of(), null),
            null,
            null,
            null,
            null));
    return true;
  }

  /** Whether a state is one of the feed's own offsets states rather than a source's. */
  public static boolean isPositionsState(AirbyteStateMessage state) {
    if (state == null || state.effectiveType() != AirbyteStateType.GLOBAL) {
      return false;
    }
    JsonNode shared = state.global() == null ? null : state.global().sharedState();
    return shared != null && shared.has(KAFKA_OFFSETS_FIELD);
  }

  private void send(AirbyteStateMessage state) {
    Map<String, Position> positions = positions();
    // Registered before sending, since the echo may come before writeState returns. The writer
    // numbers states 1, 2, ... in the order sent, and only this thread sends.
    long id = ++statesSent;
    positionsByStateId.put(id, positions);
    long sentId = writer.writeState(state);
    if (sentId != id) {
      throw new IllegalStateException("state ids out of step: " + sentId + " != " + id);
    }
    handedOverSinceLastState = false;
  }

  /** Reader thread: an echoed state's positions are confirmed. */
  private void onConfirmed(ConfirmedState state) {
    Map<String, Position> positions = positionsByStateId.remove(state.id());
    positionsByStateId.keySet().removeIf(id -> id < state.id());
    lastConfirmedId = Math.max(lastConfirmedId, state.id());
    if (positions != null) {
      listener.confirmed(state, positions);
    }
  }

  /**
   * The position of every partition handed over: the next offset, except that a held state topic
   * stays at its oldest event still waiting for records, so a restart reads that event again.
   */
  public Map<String, Position> positions() {
    Map<String, Long> oldestAwaited = new HashMap<>();
    if (holdStateTopics) {
      for (Awaited awaited : tracker.pending()) {
        oldestAwaited.merge(awaited.partitionKey(), awaited.offset(), Math::min);
      }
    }
    Map<String, Position> positions = new LinkedHashMap<>();
    handedOver.forEach(
        (key, next) ->
            positions.put(
                key,
                new Position(
                    Math.min(next, oldestAwaited.getOrDefault(key, next)),
                    tracker.appliedPerSync(key))));
    return positions;
  }

  /**
   * Stops waiting for the checkpoints and sync ends that still lack records from {@code
   * partitions}, whose missing records are gone (the reader skipped them and has read the
   * partitions to their end since): their states are never passed on, and the held state topics
   * move past them. Returns the events dropped, for the reader to report.
   */
  public List<StateEvent> dropWaitingOn(Set<String> partitions) {
    List<StateEvent> dropped = new ArrayList<>();
    for (Awaited awaited : tracker.dropIncompleteOn(partitions)) {
      dropped.add(awaited.event());
      if (awaited.event().type() == StateEvent.Type.SYNC_COMPLETED) {
        finishSyncTask(awaited.event());
      }
    }
    handedOverSinceLastState = true; // the next positions state stores the state topics' move
    return dropped;
  }

  /** Checkpoints waiting for their records. */
  public int checkpointsPending() {
    return (int)
        tracker.pending().stream()
            .filter(awaited -> awaited.event().type() == StateEvent.Type.CHECKPOINT)
            .count();
  }

  /**
   * Waits up to {@code wait} for the echo of the last state sent.
   *
   * @return whether every state sent is confirmed
   * @throws io.akb.runtime.AkbException when the destination fails meanwhile
   */
  public boolean awaitConfirmed(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (lastConfirmedId < statesSent) {
      writer.checkHealthy();
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /** Whether everything handed over is covered by a confirmed state. */
  public boolean allConfirmed() {
    return !handedOverSinceLastState && lastConfirmedId >= statesSent;
  }

  /**
   * Throws the {@link io.akb.runtime.AkbException} that says why the destination cannot go on (it
   * exited or reported an error), with its last log lines; does nothing while it is healthy.
   */
  public void checkHealthy() {
    writer.checkHealthy();
  }

  /** Fails when a state has waited longer than {@code timeout} for its echo. */
  public void checkEchoes(Duration timeout) {
    writer.checkEchoes(timeout);
  }

  /** Records sent to the destination by this feed. */
  public long recordsSent() {
    return writer.recordsSent();
  }

  /** Records sent after the newest confirmed state. */
  public long unconfirmedRecords() {
    ConfirmedState last = writer.lastConfirmed();
    return writer.recordsSent() - (last == null ? 0 : last.recordsBefore());
  }

  /** The destination's last log lines. */
  public List<String> logTail() {
    return writer.logTail();
  }

  /**
   * Sends the positions of what is left, ends the destination's input and waits for it to exit,
   * checking every state was echoed.
   */
  public WriteResult finish(Duration timeout) {
    sendPositions();
    return writer.finish(timeout);
  }

  /** Stops the destination if it still runs; harmless after {@link #finish}. */
  @Override
  public void close() {
    writer.close();
  }
}
