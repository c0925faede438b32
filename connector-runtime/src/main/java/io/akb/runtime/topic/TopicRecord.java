package io.akb.runtime.topic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.protocol.StreamDescriptor;
import java.util.Locale;
import java.util.Map;

/**
 * One record read from a topic of the topic contract, as any reader hands it over (a Kafka
 * consumer, a Connect sink): where it sits, its timestamp, its headers and its value as JSON. Knows
 * nothing of Kafka's or Connect's types.
 *
 * @param topic the topic
 * @param partition the partition
 * @param offset the record's offset
 * @param timestamp the record's timestamp in ms ({@code emitted_at}), or null when it has none
 * @param headers header name to the last value with that name, as UTF-8 text
 * @param value the value as JSON (a JSON null for a null value)
 */
public record TopicRecord(
    String topic,
    int partition,
    long offset,
    Long timestamp,
    Map<String, String> headers,
    JsonNode value) {

  public TopicRecord {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    value = value == null ? AirbyteJson.MAPPER.nullNode() : value;
  }

  /** The {@code topic/partition} key, as in a CHECKPOINT's {@code counts}. */
  public String partitionKey() {
    return StateEvent.countsKey(topic, partition);
  }

  /** {@code topic/partition@offset}, for messages. */
  public String where() {
    return partitionKey() + "@" + offset;
  }

  /** A header's value, or null when the record does not carry it or it is empty. */
  public String header(String name) {
    String value = headers.get(name);
    return value == null || value.isEmpty() ? null : value;
  }

  /**
   * The Airbyte RECORD of this record in {@code stream}: the value becomes {@code data}, the
   * timestamp {@code emitted_at} in milliseconds (now when the record has none), the {@code
   * airbyte.meta} header {@code meta.changes}.
   *
   * @throws IllegalArgumentException when the value is not a JSON object or the meta header is not
   *     JSON, saying which
   */
  public AirbyteRecordMessage toAirbyteRecord(StreamDescriptor stream) {
    if (!value.isObject()) {
      throw new IllegalArgumentException(
          "the value of "
              + where()
              + " is not a JSON object but "
              + value.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    long emittedAt = timestamp != null ? timestamp : System.currentTimeMillis();
    return new AirbyteRecordMessage(
        stream.namespace(), stream.name(), value, emittedAt, meta(), null);
  }

  /** {"changes": [...]} from the airbyte.meta header, or null when there is none. */
  private JsonNode meta() {
    String changes = header(RecordHeaders.META);
    if (changes == null) {
      return null;
    }
    try {
      ObjectNode meta = AirbyteJson.MAPPER.createObjectNode();
      meta.set("changes", AirbyteJson.parse(changes));
      return meta;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the " + RecordHeaders.META + " header of " + where() + " is not JSON: " + changes, e);
    }
  }
}
