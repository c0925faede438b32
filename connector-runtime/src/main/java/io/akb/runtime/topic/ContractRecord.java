package io.akb.runtime.topic;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.StreamDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One record a writer of the topic contract sends, as {@link SyncWriter} decided it: topic,
 * partition, key, value, timestamp and headers, in Kafka-free types. An adapter only turns it into
 * its client's record ({@code ProducerRecord}, {@code SourceRecord}); it decides nothing about the
 * contract. The byte forms ({@link #keyBytes}, {@link #valueBytes}) are the contract's wire format
 * for a writer that sends bytes; {@link StreamRecord} and {@link Event} keep the parts too, for a
 * writer whose converter serializes them itself.
 */
public sealed interface ContractRecord permits ContractRecord.StreamRecord, ContractRecord.Event {

  String topic();

  int partition();

  /** The key as written: JSON of the primary key for a record, the task id for an event. */
  byte[] keyBytes();

  /** The value as written: the JSON of the record's data, or of the event. */
  byte[] valueBytes();

  /** The record timestamp in epoch ms. */
  long timestamp();

  /** Header name to value (UTF-8 on the wire), in the order they are written. */
  Map<String, String> headers();

  /**
   * A RECORD on its stream's topic.
   *
   * @param stream the stream, as {@link TopicNames#streamKey} identifies it
   * @param key the primary key, or null for a stream without one
   * @param data the record's data (a JSON null when the connector sent none)
   * @param timestamp {@code emitted_at}, or when the record was written if the connector gave none
   * @param headers {@link RecordHeaders}: stream, namespace when there is one, sync id, meta when
   *     the record reported changes
   */
  record StreamRecord(
      String topic,
      int partition,
      StreamDescriptor stream,
      RecordPartitioner.Key key,
      JsonNode data,
      long timestamp,
      Map<String, String> headers)
      implements ContractRecord {

    /** {@code {"field": value, ...}}, or null without a primary key. */
    @Override
    public byte[] keyBytes() {
      return key == null ? null : AirbyteJson.toJsonBytes(key.toJson());
    }

    /** The data's JSON, serialized once here: the record is never rendered as text first. */
    @Override
    public byte[] valueBytes() {
      return AirbyteJson.toJsonBytes(data);
    }
  }

  /**
   * An event on the state topic: partition 0, key = the task id, no headers, timestamp = the
   * event's {@code emitted_at}.
   */
  record Event(String topic, String task, StateEvent event) implements ContractRecord {

    @Override
    public int partition() {
      return 0;
    }

    @Override
    public byte[] keyBytes() {
      return task.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] valueBytes() {
      return AirbyteJson.toJsonBytes(event);
    }

    @Override
    public long timestamp() {
      return event.emittedAt();
    }

    @Override
    public Map<String, String> headers() {
      return Map.of();
    }
  }
}
