package io.akb.connect.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.connect.schema.JsonSchemaConverter;
import io.akb.connect.source.AirbyteSourceConfig.RecordFormat;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteCatalog;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStream;
import io.akb.runtime.protocol.AirbyteStreamStatusTraceMessage;
import io.akb.runtime.protocol.AirbyteTraceMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.topic.RecordHeaders;
import io.akb.runtime.topic.RecordPartitioner;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicNames;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync of one task: turns the connector's messages into Connect records following the topic
 * contract. RECORD becomes a record on its stream's topic (key, partition, timestamp, headers);
 * STATE becomes a {@code CHECKPOINT} on the state topic whose source offset is that state; a
 * stream's TRACE STREAM_STATUS becomes a {@code STREAM_STATUS} event. It counts what it sends to
 * each {@code topic/partition}, cumulatively for the sync. Not thread-safe.
 */
final class SyncRun {
  private static final Logger log = LoggerFactory.getLogger(SyncRun.class);

  private final String syncId = UUID.randomUUID().toString();
  private final String taskId;
  private final String sourceName;
  private final String stateTopic;
  private final ConfiguredAirbyteCatalog catalog;
  private final Map<StreamDescriptor, StreamTarget> targets = new LinkedHashMap<>();
  private final SourceOffsets offsets;
  private final RecordPartitioner partitioner;
  private final Map<String, Long> counts = new LinkedHashMap<>();
  private final Set<StreamDescriptor> reported = new LinkedHashSet<>();
  private final Set<SourceRecord> checkpoints = Collections.newSetFromMap(new IdentityHashMap<>());
  private final boolean raw;
  private long seq;
  private long skipped;

  /** Where one stream's records go and how they are shaped. */
  private record StreamTarget(
      StreamDescriptor stream,
      String topic,
      int partitions,
      List<List<String>> primaryKey,
      Schema valueSchema,
      Schema keySchema) {}

  /**
   * @param recordTopics the record topic of each stream, from {@link #recordTopics}
   * @param partitionsByTopic the partition count of every record topic
   */
  SyncRun(
      String taskId,
      String sourceName,
      String topicPrefix,
      ConfiguredAirbyteCatalog catalog,
      Map<StreamDescriptor, String> recordTopics,
      Map<String, Integer> partitionsByTopic,
      RecordFormat format,
      SourceOffsets offsets,
      RecordPartitioner partitioner) {
    this.taskId = taskId;
    this.sourceName = sourceName;
    this.stateTopic = TopicNames.stateTopic(topicPrefix);
    this.catalog = catalog;
    this.offsets = offsets;
    this.partitioner = partitioner;
    this.raw = format == RecordFormat.RAW;
    for (ConfiguredAirbyteStream configured : catalog.streams()) {
      StreamDescriptor stream = normalized(configured.stream().descriptor());
      String topic = recordTopics.get(stream);
      if (topic == null) {
        throw new IllegalStateException("the record topic of " + stream + " is unknown");
      }
      List<List<String>> key =
          configured.primaryKey() == null ? List.of() : configured.primaryKey();
      Schema valueSchema = null;
      Schema keySchema = null;
      if (format == RecordFormat.STRUCT) {
        valueSchema =
            JsonSchemaConverter.toConnectSchema(
                stream.qualifiedName(), configured.stream().jsonSchema());
        if (valueSchema.type() != Schema.Type.STRUCT) {
          throw new AkbException(
              "Building the schema of stream " + stream.qualifiedName(),
              "its JSON schema does not describe an object with properties",
              "Use record.format=json for this source.");
        }
        keySchema =
            key.isEmpty()
                ? null
                : JsonSchemaConverter.keySchema(stream.qualifiedName(), valueSchema, key);
      }
      targets.put(
          stream,
          new StreamTarget(
              stream, topic, partitionsOf(partitionsByTopic, topic), key, valueSchema, keySchema));
    }
  }

  private static int partitionsOf(Map<String, Integer> partitionsByTopic, String topic) {
    Integer partitions = partitionsByTopic.get(topic);
    if (partitions == null) {
      // Guessing would put every record in partition 0, or in one that does not exist.
      throw new IllegalStateException("the partition count of topic " + topic + " is unknown");
    }
    return partitions;
  }

  /**
   * The record topic of each stream the source offers, by {@link TopicNames#recordTopics}: from the
   * whole discovered catalog, so that tasks reading different streams never pick the same topic for
   * two of them.
   */
  static Map<StreamDescriptor, String> recordTopics(String prefix, AirbyteCatalog discovered) {
    List<StreamDescriptor> streams =
        discovered.streams() == null
            ? List.of()
            : discovered.streams().stream().map(AirbyteStream::descriptor).toList();
    return TopicNames.recordTopics(prefix, streams);
  }

  String syncId() {
    return syncId;
  }

  /** The {@code SYNC_STARTED} event. */
  SourceRecord started() {
    return event(
        StateEvent.syncStarted(syncId, taskId, sourceName, catalog, now()), firstPartition());
  }

  /** The records one connector message becomes; empty for LOG and the rest. */
  List<SourceRecord> onMessage(AirbyteMessage message) {
    switch (message.type()) {
      case RECORD:
        SourceRecord record = onRecord(message.record());
        return record == null ? List.of() : List.of(record);
      case STATE:
        return List.of(onState(message.state()));
      case TRACE:
        return onTrace(message.trace());
      default:
        return List.of();
    }
  }

  /** Whether a record is a {@code CHECKPOINT}, which ends a transaction under exactly-once. */
  boolean isCheckpoint(SourceRecord record) {
    return checkpoints.contains(record);
  }

  /**
   * The closing events: {@code STREAM_STATUS} of each stream not reported yet, then {@code
   * SYNC_COMPLETED} (FAILED with the error's text when {@code failure} is set).
   */
  List<SourceRecord> completed(String failure) {
    List<SourceRecord> events = new ArrayList<>();
    String status = failure == null ? StateEvent.STREAM_COMPLETE : StateEvent.STREAM_INCOMPLETE;
    for (StreamTarget target : targets.values()) {
      if (!reported.contains(target.stream())) {
        events.add(streamStatus(target, status));
      }
    }
    if (skipped > 0) {
      log.warn("Sync {} skipped {} records of streams outside its catalog", syncId, skipped);
    }
    long endedAt = now();
    StateEvent completed =
        StateEvent.syncCompleted(
            syncId,
            taskId,
            failure == null ? StateEvent.SYNC_SUCCEEDED : StateEvent.SYNC_FAILED,
            failure,
            counts,
            endedAt);
    // Its offset is the schedule (see SyncSchedule): a success moves it, a failure keeps it.
    Map<String, Object> schedule =
        failure == null ? offsets.syncSucceeded(endedAt) : offsets.scheduleOffset();
    events.add(
        schedule == null
            ? event(completed, firstPartition())
            : event(completed, SyncSchedule.partition(taskId), schedule));
    return events;
  }

  /** Cumulative records of this sync per {@code topic/partition}. */
  Map<String, Long> counts() {
    return counts;
  }

  private SourceRecord onRecord(AirbyteRecordMessage record) {
    StreamDescriptor stream = normalized(new StreamDescriptor(record.stream(), record.namespace()));
    StreamTarget target = targets.get(stream);
    if (target == null) {
      skipped++;
      return null;
    }
    JsonNode data = record.data() == null ? AirbyteJson.MAPPER.nullNode() : record.data();
    RecordPartitioner.Key primaryKey = RecordPartitioner.Key.of(target.primaryKey(), data);
    Schema keySchema = target.keySchema();
    Object key = null;
    if (primaryKey != null && keySchema == null) {
      Map<String, Object> keyMap = new LinkedHashMap<>();
      primaryKey
          .fields()
          .forEach((name, field) -> keyMap.put(name, JsonSchemaConverter.toSchemalessValue(field)));
      key = keyMap;
    } else if (primaryKey != null) {
      Struct keyStruct = new Struct(keySchema);
      List<JsonNode> keyValues = primaryKey.values();
      for (int i = 0; i < keyValues.size(); i++) {
        var field = keySchema.fields().get(i);
        keyStruct.put(field, JsonSchemaConverter.toConnectValue(field.schema(), keyValues.get(i)));
      }
      key = keyStruct;
    }
    Object value;
    if (raw) {
      value = AirbyteJson.toJsonBytes(data);
    } else if (target.valueSchema() == null) {
      value = JsonSchemaConverter.toSchemalessValue(data);
    } else {
      value = JsonSchemaConverter.toConnectValue(target.valueSchema(), data);
    }
    int partition = partitioner.partition(target.topic(), target.partitions(), primaryKey);
    counts.merge(StateEvent.countsKey(target.topic(), partition), 1L, Long::sum);

    ConnectHeaders headers = new ConnectHeaders();
    headers.addString(RecordHeaders.STREAM, stream.name());
    if (stream.namespace() != null) {
      headers.addString(RecordHeaders.NAMESPACE, stream.namespace());
    }
    headers.addString(RecordHeaders.SYNC_ID, syncId);
    JsonNode changes = record.changes();
    if (changes != null) {
      headers.addString(RecordHeaders.META, AirbyteJson.toJson(changes));
    }
    Map<String, Object> sourcePartition = offsets.partitionOf(stream);
    return new SourceRecord(
        sourcePartition,
        offsets.offsetOf(sourcePartition),
        target.topic(),
        partition,
        keySchema,
        key,
        target.valueSchema(),
        value,
        record.emittedAt(),
        headers);
  }

  private SourceRecord onState(AirbyteStateMessage state) {
    Map<String, Object> partition = offsets.advance(state);
    seq++;
    SourceRecord checkpoint =
        event(StateEvent.checkpoint(syncId, taskId, seq, counts, state, now()), partition);
    checkpoints.add(checkpoint);
    return checkpoint;
  }

  private List<SourceRecord> onTrace(AirbyteTraceMessage trace) {
    if (trace.type() != AirbyteTraceMessage.TraceType.STREAM_STATUS
        || trace.streamStatus() == null) {
      return List.of();
    }
    AirbyteStreamStatusTraceMessage status = trace.streamStatus();
    if (status.streamDescriptor() == null) {
      return List.of();
    }
    StreamTarget target = targets.get(normalized(status.streamDescriptor()));
    String ended =
        "COMPLETE".equals(status.status())
            ? StateEvent.STREAM_COMPLETE
            : "INCOMPLETE".equals(status.status()) ? StateEvent.STREAM_INCOMPLETE : null;
    if (target == null || ended == null || reported.contains(target.stream())) {
      return List.of();
    }
    reported.add(target.stream());
    return List.of(streamStatus(target, ended));
  }

  private SourceRecord streamStatus(StreamTarget target, String status) {
    Map<String, Long> streamCounts = new HashMap<>();
    String prefix = target.topic() + "/";
    counts.forEach(
        (topicPartition, count) -> {
          if (topicPartition.startsWith(prefix)) {
            streamCounts.put(topicPartition, count);
          }
        });
    return event(
        StateEvent.streamStatus(syncId, taskId, target.stream(), status, streamCounts, now()),
        offsets.partitionOf(target.stream()));
  }

  /**
   * An event on the state topic. It carries its partition's latest offset like every record, so
   * committing it never moves or deletes a stored state (see {@link SourceOffsets}).
   */
  private SourceRecord event(StateEvent event, Map<String, Object> partition) {
    return event(event, partition, offsets.offsetOf(partition));
  }

  private SourceRecord event(
      StateEvent event, Map<String, Object> partition, Map<String, Object> offset) {
    // Under the raw format the connector's value converter takes bytes only, events included.
    Object value =
        raw
            ? AirbyteJson.toJsonBytes(event)
            : JsonSchemaConverter.toSchemalessValue(AirbyteJson.MAPPER.valueToTree(event));
    return new SourceRecord(
        partition, offset, stateTopic, 0, null, taskId, null, value, event.emittedAt());
  }

  /** Sync-wide events are tracked under the first stream's partition (or the shared one). */
  private Map<String, Object> firstPartition() {
    return offsets.partitionOf(targets.keySet().iterator().next());
  }

  /** A descriptor without unknown fields and with a null namespace for an empty one. */
  static StreamDescriptor normalized(StreamDescriptor stream) {
    String namespace =
        stream.namespace() == null || stream.namespace().isEmpty() ? null : stream.namespace();
    return new StreamDescriptor(stream.name(), namespace);
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
