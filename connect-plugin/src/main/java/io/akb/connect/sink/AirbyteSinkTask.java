package io.akb.connect.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.Destination;
import io.akb.runtime.destination.ConfirmedState;
import io.akb.runtime.destination.DestinationWriter;
import io.akb.runtime.protocol.AirbyteGlobalState;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStateType;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.topic.RecordHeaders;
import io.akb.runtime.topic.StateEvent;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams Kafka records into one running Airbyte destination and commits only what it confirmed.
 *
 * <p>Each record becomes a RECORD of its stream ({@link StreamRouter}, {@link
 * SinkRecordConverter}). At each offset commit the task sends a STATE whose data carries the Kafka
 * offsets of everything sent so far; the destination echoes it once those records are persisted,
 * and {@link #preCommit} returns the offsets of the newest echoed state only, so Connect never
 * commits what the destination did not persist. Complete CHECKPOINT events from the state topic
 * pass the source's own STATE on, after the records it covers ({@link PendingCheckpoints}).
 *
 * <p>A destination that exits is restarted (up to {@code destination.max.restarts} times in a row)
 * and the consumer is rewound to the last confirmed offsets, so every record after them is sent
 * again: delivery is at least once. The replay of what the crashed run left unconfirmed goes one
 * record at a time, each echoed before the next, so a record that makes the destination exit is
 * known by name. Such a record, and one the destination cannot take at all (its stream is not in
 * the catalog, its value is not a JSON object), goes to the errant record reporter with {@code
 * errors.tolerance=all}, else fails the task with the destination's last log lines.
 */
public class AirbyteSinkTask extends SinkTask {
  private static final Logger log = LoggerFactory.getLogger(AirbyteSinkTask.class);

  /** The field of an injected STATE's shared_state that holds {@code topic/partition -> offset}. */
  public static final String KAFKA_OFFSETS_FIELD = "kafka_offsets";

  private AirbyteSinkConfig config;
  private ConfiguredAirbyteCatalog catalog;
  private StreamRouter router;
  private Destination destination;
  private DestinationRun run;
  private PendingCheckpoints<AirbyteStateMessage> checkpoints = new PendingCheckpoints<>();
  private volatile int restartsInARow;

  /** Next offset per partition of what this run has handed to the destination (or rejected). */
  private final Map<TopicPartition, Long> sentOffsets = new HashMap<>();

  /** Where each partition started in this run: the rewind point while nothing is confirmed. */
  private final Map<TopicPartition, Long> runStartOffsets = new HashMap<>();

  /** Offsets of the newest state the destination echoed: all that may be committed. */
  private final Map<TopicPartition, Long> confirmedOffsets = new ConcurrentHashMap<>();

  private boolean sentSinceLastState;

  /**
   * After a crash, how many of the replayed records still go one at a time, each echoed before the
   * next: the records the crashed run sent unconfirmed, among which the one that killed it.
   */
  private long carefulRecords;

  /** The record sent alone whose echo is awaited: if the destination dies now, it killed it. */
  private SinkRecord suspect;

  /** Records that made the destination exit and went to the errant reporter: skipped on replay. */
  private final java.util.Set<String> deadLettered = new java.util.HashSet<>();

  /** One destination process: its writer and the offsets each sent state stands for. */
  private final class DestinationRun {
    final DestinationWriter writer;
    final Map<Long, Map<TopicPartition, Long>> offsetsByStateId = new ConcurrentHashMap<>();
    volatile long lastStateId;

    DestinationRun() {
      this.writer = destination.openWriter(catalog, this::confirmed);
    }

    /** Reader thread: an echo makes its offsets committable. */
    private void confirmed(ConfirmedState state) {
      Map<TopicPartition, Long> offsets;
      synchronized (this) {
        offsets = offsetsByStateId.remove(state.id());
        offsetsByStateId.keySet().removeIf(id -> id < state.id());
      }
      if (offsets != null) {
        confirmedOffsets.putAll(offsets);
      }
      restartsInARow = 0;
    }

    void send(AirbyteStateMessage state) {
      Map<TopicPartition, Long> offsets = Map.copyOf(sentOffsets);
      // Under the lock so the echo, which may come at once, finds its offsets.
      synchronized (this) {
        long id = writer.writeState(state);
        offsetsByStateId.put(id, offsets);
        lastStateId = id;
      }
    }

    /** Waits up to {@code wait} for the newest sent state's echo. */
    void awaitLastEcho(Duration wait) throws InterruptedException {
      long deadline = System.nanoTime() + wait.toNanos();
      while (System.nanoTime() < deadline) {
        ConfirmedState last = writer.lastConfirmed();
        if (lastStateId == 0 || (last != null && last.id() >= lastStateId)) {
          return;
        }
        writer.checkHealthy();
        Thread.sleep(20);
      }
    }
  }

  @Override
  public String version() {
    return AirbyteSinkConnector.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new AirbyteSinkConfig(props);
    try {
      catalog = SinkCatalog.of(config);
      router = new StreamRouter(catalog, config.topicStreams(), config.topicPrefix());
      destination =
          Airbyte.getDestination(
              config.connectorName(), config.connectorConfig(), config.connectorOptions());
    } catch (AkbException e) {
      throw new ConnectException(e.getMessage(), e);
    }
    log.info(
        "{} Writing streams {} into {}",
        this,
        catalog.streams().stream().map(s -> s.stream().descriptor().qualifiedName()).toList(),
        destination.describe());
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    if (records.isEmpty()) {
      checkDestination();
      return;
    }
    try {
      if (run == null) {
        run = new DestinationRun();
      }
      for (SinkRecord record : records) {
        TopicPartition partition = new TopicPartition(record.topic(), record.kafkaPartition());
        runStartOffsets.putIfAbsent(partition, record.kafkaOffset());
        if (deadLettered.contains(where(record))) {
          log.debug("{} Skipping {}: it is in the dead-letter queue", this, where(record));
        } else if (record.topic().equals(config.stateTopic())) {
          onStateEvent(record);
        } else if (carefulRecords > 0) {
          writeAlone(record, partition);
        } else {
          writeRecord(record);
        }
        sentOffsets.put(partition, record.kafkaOffset() + 1);
        sentSinceLastState = true;
        passCompleteCheckpoints();
      }
    } catch (AkbException destinationFailed) {
      restartAfter(destinationFailed);
      return;
    }
    checkDestination();
  }

  private void writeRecord(SinkRecord record) {
    StreamDescriptor stream = router.streamOf(record);
    ConfiguredAirbyteStream configured = router.find(stream);
    if (configured == null) {
      reject(
          record,
          new DataException(
              "stream '"
                  + stream.qualifiedName()
                  + "' is not in the destination's catalog (streams: "
                  + catalog.streams().stream()
                      .map(s -> s.stream().descriptor().qualifiedName())
                      .toList()
                  + ")"));
      return;
    }
    AirbyteRecordMessage message;
    try {
      message = SinkRecordConverter.toRecord(record, configured.stream().descriptor());
    } catch (DataException e) {
      reject(record, e);
      return;
    }
    run.writer.write(message);
    String syncId = StreamRouter.header(record, RecordHeaders.SYNC_ID);
    if (syncId != null) {
      checkpoints.recordSent(syncId, StateEvent.countsKey(record.topic(), record.kafkaPartition()));
    }
  }

  /** Sends one record and waits for the echo of a state right behind it. */
  private void writeAlone(SinkRecord record, TopicPartition partition) {
    suspect = record;
    writeRecord(record);
    sentOffsets.put(partition, record.kafkaOffset() + 1);
    run.send(offsetsState());
    try {
      run.awaitLastEcho(config.stateEchoTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectException("interrupted while waiting for the destination", e);
    }
    suspect = null;
    carefulRecords--;
  }

  /** A CHECKPOINT waits for its records, then its source state follows them to the destination. */
  private void onStateEvent(SinkRecord record) {
    if (!config.sourceStatePassthrough()) {
      return;
    }
    StateEvent event;
    try {
      JsonNode value = SinkRecordConverter.toJson(record.value());
      event = AirbyteJson.convert(value, StateEvent.class);
    } catch (RuntimeException notAnEvent) {
      log.debug("{} Skipping a state-topic value that is not an event", this, notAnEvent);
      return;
    }
    if (event.type() == StateEvent.Type.CHECKPOINT && event.state() != null) {
      checkpoints.await(event.syncId(), event.counts(), event.state());
    }
  }

  private void passCompleteCheckpoints() {
    for (AirbyteStateMessage sourceState : checkpoints.drainComplete()) {
      run.send(sourceState);
      sentSinceLastState = false;
    }
  }

  private void reject(SinkRecord record, Exception reason) {
    if (deadLetter(record, reason)) {
      return;
    }
    throw new ConnectException(
        "Record "
            + where(record)
            + " cannot be written to "
            + config.connectorName()
            + ": "
            + reason.getMessage()
            + ". Set errors.tolerance=all and errors.deadletterqueue.topic.name to send such"
            + " records to a dead-letter topic instead.",
        reason);
  }

  /** Reports a record to the errant record reporter; false when errors are not tolerated. */
  private boolean deadLetter(SinkRecord record, Exception reason) {
    ErrantRecordReporter reporter =
        config.toleratesErrors() ? context.errantRecordReporter() : null;
    if (reporter == null) {
      return false;
    }
    log.warn(
        "{} Sending {} to the errant record reporter: {}",
        this,
        where(record),
        reason.getMessage());
    reporter.report(record, reason);
    return true;
  }

  private static String where(SinkRecord record) {
    return record.topic() + "/" + record.kafkaPartition() + "@" + record.kafkaOffset();
  }

  /**
   * The destination exited or failed: restart it and rewind every partition to its last confirmed
   * offset, so the records it may not have persisted are sent again.
   */
  private void restartAfter(AkbException failure) {
    ConfirmedState lastConfirmed = run.writer.lastConfirmed();
    long unconfirmed =
        run.writer.recordsSent() - (lastConfirmed == null ? 0 : lastConfirmed.recordsBefore());
    run.writer.close();
    run = null;
    if (suspect != null) {
      // Sent alone after everything before it was confirmed: this record made it exit.
      SinkRecord culprit = suspect;
      suspect = null;
      if (!deadLetter(culprit, failure)) {
        throw new ConnectException(
            "Record "
                + where(culprit)
                + " made the destination exit: "
                + failure.getMessage()
                + "\nSet errors.tolerance=all and errors.deadletterqueue.topic.name to send such"
                + " records to a dead-letter topic instead.",
            failure);
      }
      deadLettered.add(where(culprit));
    } else {
      restartsInARow++;
    }
    // Replay what the failed run left unconfirmed one record at a time, to find a bad record.
    carefulRecords = Math.max(unconfirmed, 1);
    if (restartsInARow > config.maxRestarts()) {
      throw new ConnectException(
          failure.getMessage()
              + "\nThe destination failed "
              + restartsInARow
              + " times in a row without confirming a state; the task stops. Offsets are"
              + " committed only up to the last state it echoed.",
          failure);
    }
    Map<TopicPartition, Long> rewind = new HashMap<>(runStartOffsets);
    rewind.putAll(confirmedOffsets);
    rewind.keySet().retainAll(runStartOffsets.keySet());
    log.warn(
        "{} Restarting the destination ({} of {}) from offsets {} after: {}",
        this,
        restartsInARow,
        config.maxRestarts(),
        rewind,
        failure.getMessage());
    context.offset(rewind);
    sentOffsets.clear();
    sentOffsets.putAll(rewind);
    runStartOffsets.clear();
    runStartOffsets.putAll(rewind);
    // Counts start again with the replayed records.
    checkpoints = new PendingCheckpoints<>();
    sentSinceLastState = false;
  }

  /**
   * A destination that exited is restarted; one that runs but has not echoed a state within
   * state.echo.timeout.ms fails the task, since restarting it would only repeat that.
   */
  private void checkDestination() {
    if (run == null) {
      return;
    }
    try {
      run.writer.checkHealthy();
    } catch (AkbException exited) {
      restartAfter(exited);
      return;
    }
    try {
      run.writer.checkEchoes(config.stateEchoTimeout());
    } catch (AkbException neverEchoed) {
      throw new ConnectException(neverEchoed.getMessage(), neverEchoed);
    }
  }

  /**
   * Sends a STATE carrying the offsets of everything sent, waits briefly for its echo, and returns
   * the offsets of the newest echoed state: never an offset the destination did not confirm.
   */
  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(
      Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    if (run != null && sentSinceLastState) {
      try {
        run.send(offsetsState());
        sentSinceLastState = false;
        run.awaitLastEcho(config.commitWait());
      } catch (AkbException destinationFailed) {
        restartAfter(destinationFailed);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    confirmedOffsets.forEach(
        (partition, offset) -> {
          if (currentOffsets.containsKey(partition)) {
            commit.put(partition, new OffsetAndMetadata(offset));
          }
        });
    return commit;
  }

  /** A GLOBAL state whose shared_state holds the offsets: it covers every stream sent so far. */
  private AirbyteStateMessage offsetsState() {
    ObjectNode offsets = AirbyteJson.MAPPER.createObjectNode();
    sentOffsets.forEach(
        (partition, offset) ->
            offsets.put(StateEvent.countsKey(partition.topic(), partition.partition()), offset));
    ObjectNode shared = AirbyteJson.MAPPER.createObjectNode();
    shared.set(KAFKA_OFFSETS_FIELD, offsets);
    return new AirbyteStateMessage(
        AirbyteStateType.GLOBAL,
        null,
        new AirbyteGlobalState(shared, List.of(), null),
        null,
        null,
        null,
        null);
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {
    // The new owner resumes from the committed (confirmed) offsets.
    sentOffsets.keySet().removeAll(partitions);
    runStartOffsets.keySet().removeAll(partitions);
    confirmedOffsets.keySet().removeAll(partitions);
  }

  @Override
  public void stop() {
    if (run == null) {
      return;
    }
    try {
      if (sentSinceLastState) {
        run.send(offsetsState());
      }
      run.writer.finish(config.finishTimeout());
    } catch (AkbException e) {
      log.warn("{} The destination did not finish cleanly: {}", this, e.getMessage());
    } finally {
      run.writer.close();
      run = null;
    }
  }

  @Override
  public String toString() {
    return "AirbyteSinkTask{" + (config == null ? "" : config.connectorName()) + "}";
  }
}
