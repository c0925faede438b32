package io.akb.connect.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.akb.connect.source.AirbyteSourceConfig.RecordFormat;
import io.akb.runtime.AkbException;
import io.akb.runtime.MessageStream;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.AirbyteCatalog;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.schema.AvroValueWriter;
import io.akb.runtime.topic.RecordPartitioner;
import io.akb.runtime.topic.SchemaTopicReader;
import io.akb.runtime.topic.StreamGenerations;
import io.akb.runtime.topic.TopicNames;
import io.akb.runtime.topic.TopicRetention;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs syncs of the Airbyte source for the streams assigned to this task, one {@code read} at a
 * time, and hands their records to Connect following the topic contract (see {@link SyncRun}).
 *
 * <p>Lifecycle: {@link #start} restores the stored state of its streams from Connect's offsets;
 * each {@link #poll} either waits for the next sync ({@code sync.interval.ms} after the last one,
 * also across restarts through {@link SyncSchedule}, or a backoff after a failure), starts one
 * (discover, create missing topics, {@code read} with {@code --state} rebuilt from the offsets), or
 * returns the next batch of the running one: up to {@code poll.batch.size} records, fewer as soon
 * as the connector pauses (what it sent goes to Kafka while it is silent). A failed sync is retried
 * {@code sync.retries} times with doubling backoff, then the task fails with the connector's last
 * log lines. Under exactly-once with {@code transaction.boundary=connector}, each {@code
 * CHECKPOINT} and each {@code SYNC_COMPLETED} ends a transaction, and a failed sync aborts its
 * records since the last checkpoint (the next sync re-reads them from that checkpoint).
 */
public class AirbyteSourceTask extends SourceTask {
  private static final Logger log = LoggerFactory.getLogger(AirbyteSourceTask.class);

  /** Task config: this task's id, the key of its state events ({@code <connector>-<n>}). */
  static final String TASK_ID_CONFIG = "akb.task.id";

  /** Task config: the streams this task reads, a JSON array of stream descriptors. */
  static final String TASK_STREAMS_CONFIG = "akb.task.streams";

  /** Task config: how many tasks share the connector's streams. */
  static final String TASK_COUNT_CONFIG = "akb.task.count";

  private static final long MAX_IDLE_WAIT_MS = 1000;

  private AirbyteSourceConfig config;
  private String taskId;
  private List<StreamDescriptor> streams;
  private int taskCount;
  private SourceOffsets offsets;

  /** The newest generation of each stream known to this task (see {@link GenerationOffsets}). */
  private Map<StreamDescriptor, Long> generations = Map.of();

  private TopicProvisioner topics;

  /** Under record.format=avro: the task's writer schemas, across its syncs; else null. */
  private AvroValueWriter avro;

  // Kept across syncs: its spec and discovered catalog are fetched once, not before every sync.
  private Source source;
  private final RecordPartitioner partitioner = new RecordPartitioner();

  private volatile boolean stopping;
  private volatile MessageStream running;
  private SyncRun run;
  private long nextSyncAt;
  private int failuresInARow;
  private List<SourceRecord> pendingEvents = List.of();
  private AkbException fatal;

  @Override
  public String version() {
    return AirbyteSourceConnector.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new AirbyteSourceConfig(props);
    taskId = props.get(TASK_ID_CONFIG);
    taskCount = Integer.parseInt(props.getOrDefault(TASK_COUNT_CONFIG, "1"));
    streams =
        AirbyteJson.MAPPER.convertValue(
            parse(props.get(TASK_STREAMS_CONFIG)), new TypeReference<List<StreamDescriptor>>() {});
    Map<Map<String, Object>, Map<String, Object>> restored = new LinkedHashMap<>();
    List<Map<String, Object>> partitions = new ArrayList<>(StateOffsets.partitionsFor(streams));
    partitions.add(SyncSchedule.partition(taskId));
    partitions.addAll(GenerationOffsets.partitionsToRead(taskId, taskCount));
    Map<Map<String, Object>, Map<String, Object>> stored =
        context.offsetStorageReader().offsets(partitions);
    if (stored != null) {
      restored.putAll(stored);
    }
    generations = GenerationOffsets.newest(restored);
    offsets = new SourceOffsets(restored, taskCount, config.scheduleDigest());
    topics =
        new TopicProvisioner(
            config.adminClientConfig(), config.replicationFactor(), config.topicRetention());
    long now = System.currentTimeMillis();
    nextSyncAt =
        config.resumeSchedule()
            ? SyncSchedule.nextSyncAt(
                offsets.scheduleOffset(), config.syncIntervalMs(), now, config.scheduleDigest())
            : now;
    log.info(
        "{} Started for streams {}, {} stored state(s); next sync {}",
        this,
        streams.stream().map(StreamDescriptor::qualifiedName).toList(),
        offsets.all().size(),
        nextSyncAt <= now
            ? "now"
            : "in " + (nextSyncAt - now) / 1000 + " s (sync.interval.ms after the last one)");
  }

  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    // A failed sync's events go out before the task fails, so readers see SYNC_COMPLETED FAILED.
    if (!pendingEvents.isEmpty()) {
      List<SourceRecord> events = pendingEvents;
      pendingEvents = List.of();
      commitTransactionOn(events.get(events.size() - 1));
      return events;
    }
    if (fatal != null) {
      throw new ConnectException(fatal.getMessage(), fatal);
    }
    if (run == null) {
      long wait = nextSyncAt - System.currentTimeMillis();
      if (stopping) {
        return null;
      }
      if (wait > 0) {
        // Short naps keep the task responsive to stop() and to Connect's offset commits.
        Thread.sleep(Math.min(wait, MAX_IDLE_WAIT_MS));
        return null;
      }
      try {
        return List.of(startSync());
      } catch (RuntimeException e) {
        return failed(e, new ArrayList<>());
      }
    }
    return readBatch();
  }

  private SourceRecord startSync() {
    if (source == null) {
      source = ConfiguredSource.of(config);
    }
    AirbyteCatalog discovered = source.discoveredCatalog();
    StreamCatalog catalog = new StreamCatalog(discovered);
    ConfiguredAirbyteCatalog configured =
        catalog.configure(streams.stream().map(StreamDescriptor::qualifiedName).toList(), config);
    String prefix = config.topicPrefix();
    Map<StreamDescriptor, String> recordTopics = SyncRun.recordTopics(prefix, discovered);
    TopicRetention retention = config.topicRetention();
    Map<String, TopicProvisioner.WantedTopic> wanted = new LinkedHashMap<>();
    for (ConfiguredAirbyteStream stream : configured.streams()) {
      boolean keyed = stream.primaryKey() != null && !stream.primaryKey().isEmpty();
      wanted.put(
          recordTopics.get(TopicNames.streamKey(stream.stream().descriptor())),
          new TopicProvisioner.WantedTopic(
              config.topicPartitions(), retention.recordTopicConfigs(keyed)));
    }
    wanted.put(
        TopicNames.stateTopic(prefix),
        new TopicProvisioner.WantedTopic(1, retention.stateTopicConfigs()));
    if (config.recordFormat() == RecordFormat.AVRO) {
      wanted.put(
          TopicNames.schemasTopic(prefix),
          new TopicProvisioner.WantedTopic(1, retention.schemasTopicConfigs()));
    }
    Map<String, Integer> partitions = topics.ensure(wanted);
    if (config.recordFormat() == RecordFormat.AVRO && avro == null) {
      avro = avroWriter(TopicNames.schemasTopic(prefix));
    }
    JsonNode state = StateOffsets.stateArgument(offsets.all());
    // The connector reads the catalog as configured; the topics get each stream's generation.
    ConfiguredAirbyteCatalog withGenerations =
        StreamGenerations.assign(
            configured, generations, offsets::hasState, System.currentTimeMillis());
    generations = StreamGenerations.newest(generations, StreamGenerations.of(withGenerations));
    SyncRun next =
        new SyncRun(
            taskId,
            config.connectorName(),
            prefix,
            withGenerations,
            recordTopics,
            partitions,
            config.recordFormat(),
            offsets,
            partitioner,
            avro);
    running = source.read(configured, state);
    if (stopping) {
      running.close();
    }
    run = next;
    log.info(
        "{} Sync {} started {}",
        this,
        run.syncId(),
        state == null ? "from scratch" : "from the stored state");
    return run.started();
  }

  /**
   * The task's Avro writer, seeded with what the schemas topic holds: a restarted task writes no
   * schema again and still checks a changed stream against its previous version.
   */
  private AvroValueWriter avroWriter(String schemasTopic) {
    AvroValueWriter writer = new AvroValueWriter();
    try (SchemaTopicReader reader =
        new SchemaTopicReader(config.adminClientConfig(), List.of(schemasTopic), Duration.ZERO)) {
      reader.catchUp();
      reader.all().forEach(writer::known);
      log.info("{} Read {} writer schema(s) from {}", this, reader.all().size(), schemasTopic);
    }
    return writer;
  }

  private List<SourceRecord> readBatch() {
    List<SourceRecord> batch = new ArrayList<>();
    try {
      while (batch.size() < config.batchSize()) {
        if (!running.hasNext()) {
          if (stopping) {
            return batch;
          }
          batch.addAll(run.completed(null));
          log.info("{} Sync {} succeeded: {}", this, run.syncId(), run.counts());
          endSync(config.syncIntervalMs());
          failuresInARow = 0;
          commitTransactionOn(batch.get(batch.size() - 1));
          return batch;
        }
        AirbyteMessage message = running.next();
        for (SourceRecord record : run.onMessage(message)) {
          batch.add(record);
          if (run.isCheckpoint(record)) {
            commitTransactionOn(record);
          }
        }
        // A silent connector must not hold back what it sent: records and checkpoints go to
        // Kafka now, not when the batch is full or the idle timeout ends the sync.
        if (!batch.isEmpty() && !running.ready()) {
          return batch;
        }
      }
      return batch;
    } catch (RuntimeException e) {
      if (stopping) {
        return batch;
      }
      return failed(e, batch);
    }
  }

  /**
   * Ends a failed sync: its events follow the records already read; under exactly-once the records
   * since the last checkpoint are aborted first. Fails the task after too many retries.
   */
  private List<SourceRecord> failed(RuntimeException error, List<SourceRecord> batch) {
    AkbException failure =
        error instanceof AkbException akb
            ? akb
            : new AkbException(
                "Sync of " + config.connectorName(),
                String.valueOf(error.getMessage()),
                null,
                error);
    failuresInARow++;
    long backoff =
        Math.min(
            config.retryBackoffMs() << Math.min(failuresInARow - 1, 20),
            Math.max(config.retryBackoffMs(), config.syncIntervalMs()));
    log.warn(
        "{} Sync failed ({} in a row, {} retries allowed): {}",
        this,
        failuresInARow,
        config.syncRetries(),
        failure.getMessage());
    List<SourceRecord> events = run == null ? List.of() : run.completed(failure.getMessage());
    // A retry starts afresh: spec and discover again, the failure may have been theirs.
    source = null;
    endSync(backoff);
    if (failuresInARow > config.syncRetries()) {
      fatal = failure;
    }
    TransactionContext transactions = context.transactionContext();
    if (transactions != null && !events.isEmpty()) {
      // Abort what this sync wrote since its last checkpoint, then commit its failure events alone.
      transactions.abortTransaction();
      pendingEvents = events;
      return batch.isEmpty() ? null : batch;
    }
    batch.addAll(events);
    return batch.isEmpty() ? null : batch;
  }

  private void endSync(long waitMs) {
    MessageStream stream = running;
    running = null;
    run = null;
    if (stream != null) {
      stream.close();
    }
    nextSyncAt = System.currentTimeMillis() + waitMs;
  }

  private void commitTransactionOn(SourceRecord record) {
    TransactionContext transactions = context.transactionContext();
    if (transactions != null) {
      transactions.commitTransaction(record);
    }
  }

  @Override
  public void stop() {
    stopping = true;
    MessageStream stream = running;
    if (stream != null) {
      // Kills the connector: a poll blocked reading it returns.
      stream.close();
    }
    if (topics != null) {
      topics.close();
    }
  }

  /** When the next sync starts (epoch ms); for tests. */
  long nextSyncAt() {
    return nextSyncAt;
  }

  private static JsonNode parse(String json) {
    try {
      return AirbyteJson.parse(json == null ? "[]" : json);
    } catch (JsonProcessingException e) {
      throw new ConnectException("Task config " + TASK_STREAMS_CONFIG + " is not JSON", e);
    }
  }

  @Override
  public String toString() {
    return "AirbyteSourceTask{" + taskId + "}";
  }
}
