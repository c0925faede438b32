package io.akb.bridge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStream;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import io.akb.runtime.topic.RecordPartitioner;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicNames;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes the topic contract (ARCHITECTURE.md) the way the source connector does: {@code
 * SYNC_STARTED} with the catalog, records with headers and keys in partitions it picks itself and
 * counts, {@code CHECKPOINT}s with cumulative counts, {@code SYNC_COMPLETED}.
 */
public final class ContractProducer implements AutoCloseable {
  private final String bootstrap;
  private final String prefix;
  private final String sourceName;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Map<String, Integer> partitionsPerTopic = new HashMap<>();
  private final Map<String, Long> counts = new LinkedHashMap<>();
  private String syncId;
  private long seq;
  private final RecordPartitioner partitioner = new RecordPartitioner();
  private final java.util.concurrent.atomic.AtomicReference<Exception> sendFailure =
      new java.util.concurrent.atomic.AtomicReference<>();

  public ContractProducer(String prefix, String sourceName) {
    this(EmbeddedKafka.bootstrapServers(), prefix, sourceName);
  }

  /** A producer of the contract on the broker at {@code bootstrap}. */
  public ContractProducer(String bootstrap, String prefix, String sourceName) {
    this.bootstrap = bootstrap;
    this.prefix = prefix;
    this.sourceName = sourceName;
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    props.put("linger.ms", "5");
    props.put("batch.size", "262144");
    props.put("enable.idempotence", "true");
    props.put("acks", "all");
    // A loaded test machine can stall the in-JVM broker for a while: wait rather than drop.
    props.put("delivery.timeout.ms", "600000");
    props.put("request.timeout.ms", "120000");
    producer = new KafkaProducer<>(props);
  }

  public String stateTopic() {
    return TopicNames.stateTopic(prefix);
  }

  public String recordTopic(String stream) {
    return TopicNames.recordTopic(prefix, null, stream);
  }

  /** Creates the state topic and one record topic per stream with the given partitions. */
  public ContractProducer createTopics(Map<String, Integer> partitionsPerStream) {
    Map<String, Integer> topics = new LinkedHashMap<>();
    topics.put(stateTopic(), 1);
    partitionsPerStream.forEach(
        (stream, partitions) -> {
          topics.put(recordTopic(stream), partitions);
          partitionsPerTopic.put(recordTopic(stream), partitions);
        });
    EmbeddedKafka.createTopics(bootstrap, topics);
    return this;
  }

  /** A catalog entry: the stream's JSON schema, key (top-level fields) and sync modes. */
  public static ConfiguredAirbyteStream stream(
      String name,
      JsonNode jsonSchema,
      List<String> primaryKey,
      SyncMode syncMode,
      List<String> cursor,
      DestinationSyncMode destinationSyncMode) {
    List<List<String>> key = primaryKey.stream().map(List::of).toList();
    AirbyteStream stream =
        new AirbyteStream(
            name,
            jsonSchema,
            List.of(SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL),
            null,
            cursor,
            key.isEmpty() ? null : key,
            null,
            null,
            null);
    return new ConfiguredAirbyteStream(
        stream, syncMode, cursor, destinationSyncMode, key, null, null, null, null);
  }

  /** Starts a sync: a new sync id, counts from zero, {@code SYNC_STARTED} with the catalog. */
  public String startSync(List<ConfiguredAirbyteStream> streams) {
    syncId = UUID.randomUUID().toString();
    seq = 0;
    counts.clear();
    sendState(
        StateEvent.syncStarted(
            syncId, "0", sourceName, new ConfiguredAirbyteCatalog(streams, null), now()));
    return syncId;
  }

  /**
   * Sends a record of the current sync with {@code key}, a JSON object of the primary key's fields
   * (or null), to the partition the source connector would choose.
   */
  public void record(String stream, JsonNode key, JsonNode data) {
    String topic = recordTopic(stream);
    RecordPartitioner.Key partitionKey = null;
    if (key != null) {
      Map<String, JsonNode> fields = new LinkedHashMap<>();
      key.fields().forEachRemaining(field -> fields.put(field.getKey(), field.getValue()));
      partitionKey = new RecordPartitioner.Key(fields);
    }
    int partition =
        partitioner.partition(topic, partitionsPerTopic.getOrDefault(topic, 1), partitionKey);
    record(stream, key, data, partition, null);
  }

  /** Sends a record to a chosen partition, with optional {@code meta.changes}. */
  public void record(String stream, JsonNode key, JsonNode data, int partition, JsonNode changes) {
    String topic = recordTopic(stream);
    var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
    headers.add(io.akb.runtime.topic.RecordHeaders.STREAM, bytes(stream));
    headers.add(io.akb.runtime.topic.RecordHeaders.SYNC_ID, bytes(syncId));
    if (changes != null) {
      headers.add(io.akb.runtime.topic.RecordHeaders.META, bytes(changes.toString()));
    }
    producer.send(
        new ProducerRecord<>(
            topic,
            partition,
            now(),
            key == null ? null : bytes(key.toString()),
            bytes(data.toString()),
            headers),
        this::noteFailure);
    counts.merge(StateEvent.countsKey(topic, partition), 1L, Long::sum);
  }

  /** Sends a record of the current sync with a value of any bytes, to partition 0, without key. */
  public void recordBytes(String stream, byte[] value) {
    String topic = recordTopic(stream);
    var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
    headers.add(io.akb.runtime.topic.RecordHeaders.STREAM, bytes(stream));
    headers.add(io.akb.runtime.topic.RecordHeaders.SYNC_ID, bytes(syncId));
    producer.send(new ProducerRecord<>(topic, 0, now(), null, value, headers), this::noteFailure);
    counts.merge(StateEvent.countsKey(topic, 0), 1L, Long::sum);
  }

  /** The counts so far in this sync, {@code topic/partition} to records. */
  public Map<String, Long> counts() {
    return Map.copyOf(counts);
  }

  /** A {@code CHECKPOINT} with the counts so far and a STREAM state for {@code stream}. */
  public AirbyteStateMessage checkpoint(String stream, JsonNode streamState) {
    return checkpoint(streamState(stream, streamState), counts);
  }

  /** A {@code CHECKPOINT} with chosen counts (such as ones ahead of the records sent). */
  public AirbyteStateMessage checkpoint(AirbyteStateMessage state, Map<String, Long> withCounts) {
    sendState(StateEvent.checkpoint(syncId, "0", ++seq, withCounts, state, now()));
    return state;
  }

  public static AirbyteStateMessage streamState(String stream, JsonNode streamState) {
    ObjectNode json = AirbyteJson.MAPPER.createObjectNode();
    json.put("type", "STREAM");
    ObjectNode streamNode = json.putObject("stream");
    streamNode.putObject("stream_descriptor").put("name", stream);
    streamNode.set("stream_state", streamState);
    return AirbyteJson.convert(json, AirbyteStateMessage.class);
  }

  /** {@code SYNC_COMPLETED} with the final counts. */
  public void completeSync(boolean succeeded) {
    sendState(
        StateEvent.syncCompleted(
            syncId,
            "0",
            succeeded ? StateEvent.SYNC_SUCCEEDED : StateEvent.SYNC_FAILED,
            succeeded ? null : "failed on purpose",
            counts,
            now()));
  }

  /** Waits until everything sent is written; fails when a send failed (the counts would lie). */
  public void flush() {
    producer.flush();
    if (sendFailure.get() != null) {
      throw new IllegalStateException(
          "a record of the contract was not written", sendFailure.get());
    }
  }

  private void noteFailure(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception e) {
    if (e != null) {
      sendFailure.compareAndSet(null, e);
    }
  }

  private void sendState(StateEvent event) {
    producer.send(
        new ProducerRecord<>(
            stateTopic(),
            0,
            now(),
            bytes("0"),
            AirbyteJson.toJson(event).getBytes(StandardCharsets.UTF_8)),
        this::noteFailure);
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close();
  }
}
