package io.akb.connect.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.akb.connect.schema.JsonSchemaConverter;
import io.akb.connect.source.AirbyteSourceConfig.RecordFormat;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteCatalog;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteStream;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.schema.AvroValueWriter;
import io.akb.runtime.schema.ValueChange;
import io.akb.runtime.schema.WriterSchema;
import io.akb.runtime.topic.ContractRecord;
import io.akb.runtime.topic.RecordHeaders;
import io.akb.runtime.topic.RecordPartitioner;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.StreamGenerations;
import io.akb.runtime.topic.SyncWriter;
import io.akb.runtime.topic.TopicNames;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * One sync of one task as Connect records: {@link SyncWriter} decides what the topic contract
 * sends, this turns each {@link ContractRecord} into a {@link SourceRecord} in the connector's
 * {@code record.format} and gives it its Connect source offset. A record carries its stream's
 * latest state; a {@code CHECKPOINT}'s offset is its state, so Connect commits the state only after
 * every record before it; {@code SYNC_STARTED}'s is the streams' generations (see {@link
 * GenerationOffsets}), {@code SYNC_COMPLETED}'s the schedule (see {@link SyncSchedule}). Under
 * {@code record.format=avro} each value is single-object encoded by the task's {@link
 * AvroValueWriter}, and a schema version used for the first time goes to {@code <prefix>_schemas}
 * just before the record that uses it. Not thread-safe.
 */
final class SyncRun {
  private final SyncWriter writer;
  private final SourceOffsets offsets;
  private final RecordFormat format;
  private final Map<StreamDescriptor, StreamSchemas> schemas = new HashMap<>();
  private final Set<SourceRecord> checkpoints = Collections.newSetFromMap(new IdentityHashMap<>());
  private final StreamDescriptor firstStream;
  private final String schemasTopic;
  private final AvroValueWriter avro;
  private final Map<StreamDescriptor, WriterSchema> avroSchemas = new HashMap<>();

  /** A stream's Connect schemas under {@code record.format=struct}. */
  private record StreamSchemas(Schema value, Schema key) {}

  /**
   * @param recordTopics the record topic of each stream, from {@link #recordTopics}
   * @param partitionsByTopic the partition count of every record topic
   * @param avro the task's Avro writer under {@code record.format=avro} (it outlives the sync: it
   *     knows which schemas are on the schemas topic), else null
   * @throws io.akb.runtime.AkbException when a stream's new Avro schema cannot read its previous
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
      RecordPartitioner partitioner,
      AvroValueWriter avro) {
    this.writer =
        new SyncWriter(
            taskId, sourceName, topicPrefix, catalog, recordTopics, partitionsByTopic, partitioner);
    this.offsets = offsets;
    this.format = format;
    if (catalog.streams().isEmpty()) {
      // Sync-wide events need a stream's partition to carry their offset.
      throw new IllegalStateException("a sync needs at least one stream");
    }
    this.firstStream = TopicNames.streamKey(catalog.streams().get(0).stream().descriptor());
    this.schemasTopic = TopicNames.schemasTopic(topicPrefix);
    this.avro = format == RecordFormat.AVRO ? avro : null;
    if (this.avro != null) {
      for (ConfiguredAirbyteStream configured : catalog.streams()) {
        StreamDescriptor stream = TopicNames.streamKey(configured.stream().descriptor());
        avroSchemas.put(stream, this.avro.schemaOf(stream, configured.stream().jsonSchema()));
      }
    }
    if (format == RecordFormat.STRUCT) {
      for (ConfiguredAirbyteStream configured : catalog.streams()) {
        StreamDescriptor stream = TopicNames.streamKey(configured.stream().descriptor());
        schemas.put(stream, structSchemas(stream, configured));
      }
    }
  }

  private static StreamSchemas structSchemas(
      StreamDescriptor stream, ConfiguredAirbyteStream configured) {
    Schema value =
        JsonSchemaConverter.toConnectSchema(
            stream.qualifiedName(), configured.stream().jsonSchema());
    if (value.type() != Schema.Type.STRUCT) {
      throw new AkbException(
          "Building the schema of stream " + stream.qualifiedName(),
          "its JSON schema does not describe an object with properties",
          "Use record.format=json for this source.");
    }
    List<List<String>> key = configured.primaryKey();
    return new StreamSchemas(
        value,
        key == null || key.isEmpty()
            ? null
            : JsonSchemaConverter.keySchema(stream.qualifiedName(), value, key));
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
    return writer.syncId();
  }

  /** The {@code SYNC_STARTED} event. */
  SourceRecord started() {
    return toConnect(writer.started());
  }

  /** The records one connector message becomes; empty for LOG and the rest. */
  List<SourceRecord> onMessage(AirbyteMessage message) {
    return toConnect(writer.onMessage(message));
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
    return toConnect(writer.completed(failure));
  }

  /** Cumulative records of this sync per {@code topic/partition}. */
  Map<String, Long> counts() {
    return writer.counts();
  }

  private List<SourceRecord> toConnect(List<? extends ContractRecord> written) {
    if (written.size() == 1 && avro == null) {
      return List.of(toConnect(written.get(0)));
    }
    List<SourceRecord> records = new ArrayList<>(written.size() + 1);
    for (ContractRecord record : written) {
      if (avro != null && record instanceof ContractRecord.StreamRecord streamRecord) {
        WriterSchema schema = avroSchemas.get(streamRecord.stream());
        if (avro.needsWriting(schema)) {
          records.add(schemaRecord(schema));
        }
      }
      records.add(toConnect(record));
    }
    return records;
  }

  /** The Connect record of one contract record, with the source offset it must carry. */
  private SourceRecord toConnect(ContractRecord written) {
    if (written instanceof ContractRecord.StreamRecord record) {
      return record(record);
    }
    ContractRecord.Event event = (ContractRecord.Event) written;
    StateEvent value = event.event();
    switch (value.type()) {
      case CHECKPOINT:
        SourceRecord checkpoint = event(event, offsets.advance(value.state()));
        checkpoints.add(checkpoint);
        return checkpoint;
      case STREAM_STATUS:
        return event(event, offsets.partitionOf(value.stream()));
      case SYNC_COMPLETED:
        // Its offset is the schedule (see SyncSchedule): a success moves it, a failure keeps it.
        Map<String, Object> schedule =
            StateEvent.SYNC_SUCCEEDED.equals(value.status())
                ? offsets.syncSucceeded(value.emittedAt())
                : offsets.scheduleOffset();
        return schedule == null
            ? event(event, firstPartition())
            : event(event, SyncSchedule.partition(event.task()), schedule);
      default: // SYNC_STARTED
        // Its offset is the streams' generations (see GenerationOffsets), kept from the start.
        Map<StreamDescriptor, Long> generations = StreamGenerations.of(value.catalog());
        return generations.isEmpty()
            ? event(event, firstPartition())
            : event(
                event,
                GenerationOffsets.partition(event.task()),
                GenerationOffsets.offset(generations));
    }
  }

  private SourceRecord record(ContractRecord.StreamRecord record) {
    StreamSchemas struct = schemas.get(record.stream());
    Schema valueSchema = struct == null ? null : struct.value();
    Schema keySchema = struct == null ? null : struct.key();
    RecordPartitioner.Key primaryKey = record.key();
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
    Map<String, String> headerValues = record.headers();
    if (format == RecordFormat.RAW) {
      value = record.valueBytes();
    } else if (avro != null) {
      AvroValueWriter.Encoded encoded =
          avro.encode(avroSchemas.get(record.stream()), record.data());
      value = encoded.value();
      headerValues = withChanges(headerValues, encoded.changes());
    } else if (valueSchema == null) {
      value = JsonSchemaConverter.toSchemalessValue(record.data());
    } else {
      value = JsonSchemaConverter.toConnectValue(valueSchema, record.data());
    }
    ConnectHeaders headers = new ConnectHeaders();
    headerValues.forEach(headers::addString);
    Map<String, Object> sourcePartition = offsets.partitionOf(record.stream());
    return new SourceRecord(
        sourcePartition,
        offsets.offsetOf(sourcePartition),
        record.topic(),
        record.partition(),
        keySchema,
        key,
        valueSchema,
        value,
        record.timestamp(),
        headers);
  }

  /**
   * The headers with the Avro conversion's changes added to {@code airbyte.meta}, after the
   * connector's own: the cache records them in {@code _airbyte_meta.changes}.
   */
  private static Map<String, String> withChanges(
      Map<String, String> headers, List<ValueChange> changes) {
    if (changes.isEmpty()) {
      return headers;
    }
    ArrayNode all = AirbyteJson.MAPPER.createArrayNode();
    String meta = headers.get(RecordHeaders.META);
    if (meta != null) {
      try {
        JsonNode earlier = AirbyteJson.parse(meta);
        if (earlier.isArray()) {
          all.addAll((ArrayNode) earlier);
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("the writer's own airbyte.meta header is not JSON", e);
      }
    }
    changes.forEach(change -> all.add(change.toJson()));
    Map<String, String> merged = new LinkedHashMap<>(headers);
    merged.put(RecordHeaders.META, AirbyteJson.toJson(all));
    return merged;
  }

  /**
   * A writer schema on {@code <prefix>_schemas}: key the fingerprint's hex, value {@link
   * WriterSchema#toJsonBytes}. It carries the first stream's latest offset, as events do, so
   * committing it moves no state.
   */
  private SourceRecord schemaRecord(WriterSchema schema) {
    Map<String, Object> partition = firstPartition();
    return new SourceRecord(
        partition,
        offsets.offsetOf(partition),
        schemasTopic,
        0,
        Schema.STRING_SCHEMA,
        schema.fingerprintHex(),
        null,
        schema.toJsonBytes(),
        System.currentTimeMillis());
  }

  /** Sync-wide events are tracked under the first stream's partition (or the shared one). */
  private Map<String, Object> firstPartition() {
    return offsets.partitionOf(firstStream);
  }

  /**
   * An event on the state topic. It carries its partition's latest offset like every record, so
   * committing it never moves or deletes a stored state (see {@link SourceOffsets}).
   */
  private SourceRecord event(ContractRecord.Event event, Map<String, Object> partition) {
    return event(event, partition, offsets.offsetOf(partition));
  }

  private SourceRecord event(
      ContractRecord.Event event, Map<String, Object> partition, Map<String, Object> offset) {
    // Under the raw format the connector's value converter takes bytes only, events included.
    Object value =
        format.isBytes()
            ? event.valueBytes()
            : JsonSchemaConverter.toSchemalessValue(AirbyteJson.MAPPER.valueToTree(event.event()));
    return new SourceRecord(
        partition,
        offset,
        event.topic(),
        event.partition(),
        null,
        event.task(),
        null,
        value,
        event.timestamp());
  }
}
