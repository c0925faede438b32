package io.akb.runtime.topic;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStreamStatusTraceMessage;
import io.akb.runtime.protocol.AirbyteTraceMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync of a source written as the topic contract (ARCHITECTURE.md): the one place that decides
 * what every writer of the contract (the source connector's task, the Java API's Kafka cache)
 * sends. It turns the connector's messages into {@link ContractRecord}s; the caller sends them, in
 * the order given, and adds only what its client needs (Connect offsets, a flush).
 *
 * <ul>
 *   <li>{@link #started}: {@code SYNC_STARTED} with a fresh sync id, the task and the catalog.
 *   <li>A RECORD of a catalog stream: a {@link ContractRecord.StreamRecord} on the stream's topic,
 *       keyed and partitioned by {@link RecordPartitioner}, timestamped {@code emitted_at}, with
 *       the {@link RecordHeaders} (the stream's generation among them, when the catalog has one).
 *       It is counted under its {@code topic/partition}. A record of a stream outside the catalog
 *       is skipped (and the number logged when the sync ends).
 *   <li>A STATE: a {@code CHECKPOINT} with the next {@code seq} (1, 2, ...), the counts so far and
 *       the state verbatim. Its counts cover exactly the records returned before it, so a writer
 *       must have every one of them acknowledged before the checkpoint is.
 *   <li>A TRACE STREAM_STATUS COMPLETE or INCOMPLETE of a catalog stream, the first one per stream:
 *       a {@code STREAM_STATUS} with that stream's counts. Other statuses and repeats are dropped.
 *   <li>{@link #completed}: {@code STREAM_STATUS} of every stream not reported yet (COMPLETE, or
 *       INCOMPLETE when the sync failed), then {@code SYNC_COMPLETED} SUCCEEDED or FAILED with the
 *       error and the final counts.
 * </ul>
 *
 * <p>Counts are cumulative for the sync; the {@link RecordPartitioner} may outlive it (a task's
 * round robin carries on across syncs). Not thread-safe: one per sync.
 */
public final class SyncWriter {
  private static final Logger log = LoggerFactory.getLogger(SyncWriter.class);

  private final String syncId = UUID.randomUUID().toString();
  private final String task;
  private final String sourceName;
  private final String stateTopic;
  private final ConfiguredAirbyteCatalog catalog;
  private final RecordPartitioner partitioner;
  private final LongSupplier clock;
  private final Map<StreamDescriptor, StreamTopic> streams = new LinkedHashMap<>();
  private final Map<String, Long> counts = new LinkedHashMap<>();
  private final Set<StreamDescriptor> reported = new LinkedHashSet<>();
  private long seq;
  private long skipped;

  /** Where one stream's records go; {@code records} counts them for this sync. */
  private static final class StreamTopic {
    final StreamDescriptor stream;
    final String topic;
    final int partitions;
    final List<List<String>> primaryKey;
    final String generation;
    long records;

    StreamTopic(
        StreamDescriptor stream,
        String topic,
        int partitions,
        List<List<String>> key,
        Long generation) {
      this.stream = stream;
      this.topic = topic;
      this.partitions = partitions;
      this.primaryKey = key;
      this.generation = generation == null ? null : generation.toString();
    }
  }

  /**
   * @param task the task id: the key of every event, and what tells one writer's syncs from
   *     another's on a shared state topic
   * @param sourceName the source connector's name, in {@code SYNC_STARTED}
   * @param topicPrefix the topic prefix, which names the state topic
   * @param catalog the streams this sync reads, each with its generation when the writer keeps them
   *     ({@link StreamGenerations#assign}): in {@code SYNC_STARTED} and on every record
   * @param recordTopics the record topic of (at least) every catalog stream, keyed by {@link
   *     TopicNames#streamKey}, as {@link TopicNames#recordTopics} names them
   * @param partitionsByTopic the partition count of every record topic
   * @param partitioner picks each record's partition
   * @throws IllegalStateException when a catalog stream's topic or its partition count is unknown
   */
  public SyncWriter(
      String task,
      String sourceName,
      String topicPrefix,
      ConfiguredAirbyteCatalog catalog,
      Map<StreamDescriptor, String> recordTopics,
      Map<String, Integer> partitionsByTopic,
      RecordPartitioner partitioner) {
    this(
        task,
        sourceName,
        topicPrefix,
        catalog,
        recordTopics,
        partitionsByTopic,
        partitioner,
        System::currentTimeMillis);
  }

  /** As the public constructor, with the clock that stamps events (for tests). */
  SyncWriter(
      String task,
      String sourceName,
      String topicPrefix,
      ConfiguredAirbyteCatalog catalog,
      Map<StreamDescriptor, String> recordTopics,
      Map<String, Integer> partitionsByTopic,
      RecordPartitioner partitioner,
      LongSupplier clock) {
    this.task = task;
    this.sourceName = sourceName;
    this.stateTopic = TopicNames.stateTopic(topicPrefix);
    this.catalog = catalog;
    this.partitioner = partitioner;
    this.clock = clock;
    for (ConfiguredAirbyteStream configured : catalog.streams()) {
      StreamDescriptor stream = TopicNames.streamKey(configured.stream().descriptor());
      String topic = recordTopics.get(stream);
      if (topic == null) {
        throw new IllegalStateException("the record topic of " + stream + " is unknown");
      }
      Integer partitions = partitionsByTopic.get(topic);
      if (partitions == null) {
        // Guessing would put every record in partition 0, or in one that does not exist.
        throw new IllegalStateException("the partition count of topic " + topic + " is unknown");
      }
      List<List<String>> key =
          configured.primaryKey() == null ? List.of() : configured.primaryKey();
      streams.put(
          stream, new StreamTopic(stream, topic, partitions, key, configured.generationId()));
    }
  }

  /** This sync's id, in every event and in the {@code airbyte.sync_id} header of its records. */
  public String syncId() {
    return syncId;
  }

  /** The {@code SYNC_STARTED} event, to be sent before anything else of this sync. */
  public ContractRecord.Event started() {
    return event(StateEvent.syncStarted(syncId, task, sourceName, catalog, clock.getAsLong()));
  }

  /** What one connector message becomes, in order; empty for LOG, CONTROL and the rest. */
  public List<ContractRecord> onMessage(AirbyteMessage message) {
    switch (message.type()) {
      case RECORD:
        ContractRecord record = onRecord(message.record());
        return record == null ? List.of() : List.of(record);
      case STATE:
        return List.of(onState(message.state()));
      case TRACE:
        ContractRecord status = onTrace(message.trace());
        return status == null ? List.of() : List.of(status);
      default:
        return List.of();
    }
  }

  /**
   * The closing events: {@code STREAM_STATUS} of each stream not reported yet, then {@code
   * SYNC_COMPLETED}, the last of this sync.
   *
   * @param failure why the sync failed (the event's {@code error}), or null when it succeeded
   */
  public List<ContractRecord.Event> completed(String failure) {
    List<ContractRecord.Event> events = new ArrayList<>();
    String status = failure == null ? StateEvent.STREAM_COMPLETE : StateEvent.STREAM_INCOMPLETE;
    for (StreamTopic stream : streams.values()) {
      if (reported.add(stream.stream)) {
        events.add(streamStatus(stream, status));
      }
    }
    if (skipped > 0) {
      log.warn("Sync {} skipped {} records of streams outside its catalog", syncId, skipped);
    }
    events.add(
        event(
            StateEvent.syncCompleted(
                syncId,
                task,
                failure == null ? StateEvent.SYNC_SUCCEEDED : StateEvent.SYNC_FAILED,
                failure,
                counts,
                clock.getAsLong())));
    return events;
  }

  /** Cumulative records of this sync per {@code topic/partition}; a read-only view. */
  public Map<String, Long> counts() {
    return Collections.unmodifiableMap(counts);
  }

  /** Records of this sync per catalog stream ({@link TopicNames#streamKey}), in catalog order. */
  public Map<StreamDescriptor, Long> recordsPerStream() {
    Map<StreamDescriptor, Long> records = new LinkedHashMap<>();
    streams.forEach((stream, topic) -> records.put(stream, topic.records));
    return records;
  }

  private ContractRecord.StreamRecord onRecord(AirbyteRecordMessage record) {
    StreamTopic target =
        streams.get(
            TopicNames.streamKey(new StreamDescriptor(record.stream(), record.namespace())));
    if (target == null) {
      skipped++;
      return null;
    }
    JsonNode data = record.data() == null ? AirbyteJson.MAPPER.nullNode() : record.data();
    RecordPartitioner.Key key = RecordPartitioner.Key.of(target.primaryKey, data);
    int partition = partitioner.partition(target.topic, target.partitions, key);
    counts.merge(StateEvent.countsKey(target.topic, partition), 1L, Long::sum);
    target.records++;
    long timestamp = record.emittedAt() != null ? record.emittedAt() : clock.getAsLong();
    return new ContractRecord.StreamRecord(
        target.topic, partition, target.stream, key, data, timestamp, headers(target, record));
  }

  private Map<String, String> headers(StreamTopic target, AirbyteRecordMessage record) {
    Map<String, String> headers = new LinkedHashMap<>(8);
    headers.put(RecordHeaders.STREAM, target.stream.name());
    if (target.stream.namespace() != null) {
      headers.put(RecordHeaders.NAMESPACE, target.stream.namespace());
    }
    headers.put(RecordHeaders.SYNC_ID, syncId);
    if (target.generation != null) {
      headers.put(RecordHeaders.GENERATION_ID, target.generation);
    }
    JsonNode changes = record.changes();
    if (changes != null) {
      headers.put(RecordHeaders.META, AirbyteJson.toJson(changes));
    }
    return Collections.unmodifiableMap(headers);
  }

  private ContractRecord.Event onState(AirbyteStateMessage state) {
    seq++;
    return event(StateEvent.checkpoint(syncId, task, seq, counts, state, clock.getAsLong()));
  }

  private ContractRecord.Event onTrace(AirbyteTraceMessage trace) {
    if (trace == null
        || trace.type() != AirbyteTraceMessage.TraceType.STREAM_STATUS
        || trace.streamStatus() == null
        || trace.streamStatus().streamDescriptor() == null) {
      return null;
    }
    AirbyteStreamStatusTraceMessage status = trace.streamStatus();
    String ended =
        StateEvent.STREAM_COMPLETE.equals(status.status())
            ? StateEvent.STREAM_COMPLETE
            : StateEvent.STREAM_INCOMPLETE.equals(status.status())
                ? StateEvent.STREAM_INCOMPLETE
                : null;
    StreamTopic stream = streams.get(TopicNames.streamKey(status.streamDescriptor()));
    if (ended == null || stream == null || !reported.add(stream.stream)) {
      return null;
    }
    return streamStatus(stream, ended);
  }

  private ContractRecord.Event streamStatus(StreamTopic stream, String status) {
    // Only this stream's partitions: a topic name never contains '/', so the prefix is exact.
    String prefix = stream.topic + "/";
    Map<String, Long> streamCounts = new LinkedHashMap<>();
    counts.forEach(
        (topicPartition, count) -> {
          if (topicPartition.startsWith(prefix)) {
            streamCounts.put(topicPartition, count);
          }
        });
    return event(
        StateEvent.streamStatus(
            syncId, task, stream.stream, status, streamCounts, clock.getAsLong()));
  }

  private ContractRecord.Event event(StateEvent event) {
    return new ContractRecord.Event(stateTopic, task, event);
  }
}
