package io.akb.connect.sink;

import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.Destination;
import io.akb.runtime.destination.ConfirmedState;
import io.akb.runtime.destination.TopicDestinationFeed;
import io.akb.runtime.destination.TopicDestinationFeed.Position;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.schema.WriterSchema;
import io.akb.runtime.topic.RecordValueDecoder;
import io.akb.runtime.topic.SchemaTopicReader;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicRecord;
import io.akb.runtime.topic.TopicStreamRouter;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>The work is {@link TopicDestinationFeed}'s, the core the bridge's destination targets share:
 * each record becomes a RECORD of its stream; at each offset commit the task sends a STATE whose
 * data carries the Kafka offsets of everything sent so far; the destination echoes it once those
 * records are persisted, and {@link #preCommit} returns the offsets of the newest echoed state
 * only, so Connect never commits what the destination did not persist. Complete CHECKPOINT events
 * from the state topic pass the source's own STATE on, after the records it covers.
 *
 * <p>A destination that exits is restarted (up to {@code destination.max.restarts} times in a row)
 * and the consumer is rewound to the last confirmed offsets, so every record after them is sent
 * again: delivery is at least once. The replay of what the crashed run left unconfirmed goes one
 * record at a time, each echoed before the next, so a record that makes the destination exit is
 * known by name. Such a record, and one the destination cannot take at all (its stream is not in
 * the catalog, its value is not a JSON object), goes to the errant record reporter with {@code
 * errors.tolerance=all}, else fails the task with the destination's last log lines.
 *
 * <p>Byte values are read in every form of the topic contract ({@link RecordValueDecoder}); Avro
 * ones by their writer schema from the source's schemas topic ({@link
 * AirbyteSinkConfig#schemasTopic}), read only once an Avro value arrives. A value whose schema that
 * topic lacks fails the task naming the fingerprint: it is never skipped, nor dead-lettered.
 */
public class AirbyteSinkTask extends SinkTask {
  private static final Logger log = LoggerFactory.getLogger(AirbyteSinkTask.class);

  /** How long an unknown Avro schema is waited for: its record may have overtaken it. */
  static final Duration SCHEMA_WAIT = Duration.ofSeconds(10);

  private AirbyteSinkConfig config;
  private ConfiguredAirbyteCatalog catalog;
  private TopicStreamRouter router;
  private Destination destination;
  private TopicDestinationFeed feed;
  private String schemasTopic;
  private SchemaTopicReader schemas;
  private RecordValueDecoder values;
  private volatile int restartsInARow;

  /** Where each partition started in this run: the rewind point while nothing is confirmed. */
  private final Map<TopicPartition, Long> runStartOffsets = new HashMap<>();

  /** Positions of the newest states the destination echoed: all that may be committed. */
  private final Map<String, Position> confirmed = new ConcurrentHashMap<>();

  /**
   * After a crash, how many of the replayed records still go one at a time, each echoed before the
   * next: the records the crashed run sent unconfirmed, among which the one that killed it.
   */
  private long carefulRecords;

  /** The record sent alone whose echo is awaited: if the destination dies now, it killed it. */
  private SinkRecord suspect;

  /** Records that made the destination exit and went to the errant reporter: skipped on replay. */
  private final Set<String> deadLettered = new HashSet<>();

  @Override
  public String version() {
    return AirbyteSinkConnector.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new AirbyteSinkConfig(props);
    try {
      catalog = SinkCatalog.of(config);
      router = new TopicStreamRouter(catalog, config.topicStreams(), config.topicPrefix());
      destination =
          Airbyte.getDestination(
              config.connectorName(), config.connectorConfig(), config.connectorOptions());
    } catch (AkbException e) {
      throw new ConnectException(e.getMessage(), e);
    }
    schemasTopic = config.schemasTopic();
    Map<String, Object> consumer = config.schemasConsumerProperties();
    if (schemasTopic != null && consumer != null) {
      schemas = new SchemaTopicReader(consumer, List.of(schemasTopic), SCHEMA_WAIT);
      values = new RecordValueDecoder(schemas);
    } else {
      values = new RecordValueDecoder(new NoSchemasTopic(schemasTopic));
    }
    log.info("{} Writing streams {} into {}", this, router.streamNames(), destination.describe());
  }

  /** Without a schemas topic or brokers to read it from: an Avro value fails saying what to set. */
  private record NoSchemasTopic(String topic) implements RecordValueDecoder.WriterSchemas {
    @Override
    public WriterSchema find(long fingerprint) {
      return null;
    }

    @Override
    public void catchUp() {
      throw new AkbException(
          "Reading an Avro record value",
          topic == null
              ? "the sink knows no schemas topic to look its writer schema up in"
              : "the sink knows no brokers to read the schemas topic " + topic + " from",
          "Set "
              + (topic == null
                  ? AirbyteSinkConfig.SCHEMAS_TOPIC_CONFIG
                      + " (or "
                      + AirbyteSinkConfig.STATE_TOPIC_CONFIG
                      + ", or "
                      + AirbyteSinkConfig.TOPIC_PREFIX_CONFIG
                      + ") to the source's <prefix>_schemas"
                  : AirbyteSinkConfig.BOOTSTRAP_SERVERS_CONFIG)
              + ".");
    }

    @Override
    public String describe() {
      return "no schemas topic";
    }
  }

  /** A destination run fed from where each partition stands: confirmed, else where it started. */
  private TopicDestinationFeed openFeed() {
    Map<String, Position> start = new HashMap<>();
    runStartOffsets.forEach(
        (partition, offset) -> {
          String key = key(partition);
          start.put(key, confirmed.getOrDefault(key, new Position(offset, Map.of())));
        });
    return new TopicDestinationFeed(
        destination,
        catalog,
        router,
        config.sourceStatePassthrough(),
        // Connect's committed offsets carry no checkpoint counts: never hold the state topic back.
        false,
        start,
        this::confirmed);
  }

  /** Reader thread: an echo makes its offsets committable. */
  private void confirmed(ConfirmedState state, Map<String, Position> positions) {
    confirmed.putAll(positions);
    restartsInARow = 0;
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    if (records.isEmpty()) {
      checkDestination();
      return;
    }
    try {
      if (feed == null) {
        for (SinkRecord record : records) {
          runStartOffsets.putIfAbsent(
              new TopicPartition(record.topic(), record.kafkaPartition()), record.kafkaOffset());
        }
        feed = openFeed();
      }
      for (SinkRecord record : records) {
        runStartOffsets.putIfAbsent(
            new TopicPartition(record.topic(), record.kafkaPartition()), record.kafkaOffset());
        if (deadLettered.contains(where(record))) {
          log.debug("{} Skipping {}: it is in the dead-letter queue", this, where(record));
          feed.skip(SinkRecordConverter.withoutValue(record));
        } else if (record.topic().equals(config.stateTopic())) {
          onStateEvent(record);
        } else if (record.topic().equals(schemasTopic)) {
          // Writer schemas, consumed through topics.regex: read apart, never a stream's record.
          feed.skip(SinkRecordConverter.withoutValue(record));
        } else if (carefulRecords > 0) {
          writeAlone(record);
        } else {
          writeRecord(record);
        }
      }
    } catch (AkbException destinationFailed) {
      restartAfter(destinationFailed);
      return;
    }
    checkDestination();
  }

  private void writeRecord(SinkRecord record) {
    TopicRecord topicRecord;
    try {
      topicRecord = SinkRecordConverter.toTopicRecord(record, values);
    } catch (DataException notJson) {
      reject(record, notJson);
      feed.skip(SinkRecordConverter.withoutValue(record));
      return;
    } catch (AkbException unknownSchema) {
      // Not the destination's failure: no restart helps, and the record must not be skipped.
      throw new ConnectException(
          "Record " + where(record) + " cannot be read: " + unknownSchema.getMessage(),
          unknownSchema);
    }
    String rejected = feed.write(topicRecord);
    if (rejected != null) {
      reject(record, new DataException(rejected));
    }
  }

  /** Sends one record and waits for the echo of a state right behind it. */
  private void writeAlone(SinkRecord record) {
    suspect = record;
    writeRecord(record);
    feed.sendPositions();
    try {
      feed.awaitConfirmed(config.stateEchoTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectException("interrupted while waiting for the destination", e);
    }
    suspect = null;
    carefulRecords--;
  }

  /** A CHECKPOINT waits for its records, then its source state follows them to the destination. */
  private void onStateEvent(SinkRecord record) {
    TopicRecord event;
    try {
      event = SinkRecordConverter.toTopicRecord(record, values);
    } catch (DataException notAnEvent) {
      log.debug("{} Skipping a state-topic value that is not an event", this, notAnEvent);
      feed.skip(SinkRecordConverter.withoutValue(record));
      return;
    }
    feed.stateEvent(event);
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

  private static String key(TopicPartition partition) {
    return StateEvent.countsKey(partition.topic(), partition.partition());
  }

  /**
   * The destination exited or failed: restart it and rewind every partition to its last confirmed
   * offset, so the records it may not have persisted are sent again.
   */
  private void restartAfter(AkbException failure) {
    long unconfirmed = feed.unconfirmedRecords();
    feed.close();
    feed = null;
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
    Map<TopicPartition, Long> rewind = new HashMap<>();
    runStartOffsets.forEach(
        (partition, start) -> {
          Position position = confirmed.get(key(partition));
          rewind.put(partition, position == null ? start : position.nextOffset());
        });
    log.warn(
        "{} Restarting the destination ({} of {}) from offsets {} after: {}",
        this,
        restartsInARow,
        config.maxRestarts(),
        rewind,
        failure.getMessage());
    context.offset(rewind);
    runStartOffsets.clear();
    runStartOffsets.putAll(rewind);
  }

  /**
   * A destination that exited is restarted; one that runs but has not echoed a state within
   * state.echo.timeout.ms fails the task, since restarting it would only repeat that.
   */
  private void checkDestination() {
    if (feed == null) {
      return;
    }
    try {
      feed.checkHealthy();
    } catch (AkbException exited) {
      restartAfter(exited);
      return;
    }
    try {
      feed.checkEchoes(config.stateEchoTimeout());
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
    if (feed != null) {
      try {
        if (feed.sendPositions()) {
          feed.awaitConfirmed(config.commitWait());
        }
      } catch (AkbException destinationFailed) {
        restartAfter(destinationFailed);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    for (TopicPartition partition : currentOffsets.keySet()) {
      Position position = confirmed.get(key(partition));
      if (position != null) {
        commit.put(partition, new OffsetAndMetadata(position.nextOffset()));
      }
    }
    return commit;
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {
    // The new owner resumes from the committed (confirmed) offsets.
    runStartOffsets.keySet().removeAll(partitions);
    partitions.forEach(partition -> confirmed.remove(key(partition)));
  }

  @Override
  public void stop() {
    if (schemas != null) {
      schemas.close();
    }
    if (feed == null) {
      return;
    }
    try {
      feed.finish(config.finishTimeout());
    } catch (AkbException e) {
      log.warn("{} The destination did not finish cleanly: {}", this, e.getMessage());
    } finally {
      feed.close();
      feed = null;
    }
  }

  @Override
  public String toString() {
    return "AirbyteSinkTask{" + (config == null ? "" : config.connectorName()) + "}";
  }
}
