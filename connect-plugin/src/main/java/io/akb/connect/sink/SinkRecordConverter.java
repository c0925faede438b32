package io.akb.connect.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.topic.RecordHeaders;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns a Kafka record into an Airbyte RECORD: the value becomes {@code data} (a Connect {@code
 * Struct}, a schemaless map, or JSON text or bytes), the record timestamp becomes {@code
 * emitted_at} in milliseconds, and the {@code airbyte.meta} header becomes {@code meta.changes}.
 */
final class SinkRecordConverter {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private SinkRecordConverter() {}

  /**
   * The RECORD for a Kafka record of {@code stream}.
   *
   * @throws DataException when the value is not a JSON object in any of the accepted forms
   */
  static AirbyteRecordMessage toRecord(SinkRecord record, StreamDescriptor stream) {
    JsonNode data = toJson(record.value());
    if (!data.isObject()) {
      throw new DataException(
          "the value of "
              + record.topic()
              + "/"
              + record.kafkaPartition()
              + "@"
              + record.kafkaOffset()
              + " is not a JSON object but "
              + data.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    long emittedAt = record.timestamp() != null ? record.timestamp() : System.currentTimeMillis();
    return new AirbyteRecordMessage(
        stream.namespace(), stream.name(), data, emittedAt, meta(record), null);
  }

  /** {"changes": [...]} from the airbyte.meta header, or null when there is none. */
  private static JsonNode meta(SinkRecord record) {
    String changes = StreamRouter.header(record, RecordHeaders.META);
    if (changes == null) {
      return null;
    }
    try {
      ObjectNode meta = NODES.objectNode();
      meta.set("changes", AirbyteJson.parse(changes));
      return meta;
    } catch (JsonProcessingException e) {
      throw new DataException("the " + RecordHeaders.META + " header is not JSON: " + changes, e);
    }
  }

  /** Any value a Connect converter produces, as JSON. */
  static JsonNode toJson(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof String text) {
      return parse(text);
    }
    if (value instanceof byte[] bytes) {
      return parse(new String(bytes, StandardCharsets.UTF_8));
    }
    if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return parse(new String(bytes, StandardCharsets.UTF_8));
    }
    return toJsonValue(value);
  }

  private static JsonNode parse(String text) {
    try {
      return AirbyteJson.parse(text);
    } catch (JsonProcessingException e) {
      throw new DataException("the value is not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** A value inside a Struct, map or list; bytes are base64 text here, as in Airbyte. */
  private static JsonNode toJsonValue(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof Struct struct) {
      ObjectNode object = NODES.objectNode();
      for (Field field : struct.schema().fields()) {
        object.set(field.name(), toJsonValue(struct.get(field)));
      }
      return object;
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode object = NODES.objectNode();
      map.forEach((k, v) -> object.set(String.valueOf(k), toJsonValue(v)));
      return object;
    }
    if (value instanceof Collection<?> list) {
      ArrayNode array = NODES.arrayNode();
      list.forEach(item -> array.add(toJsonValue(item)));
      return array;
    }
    if (value instanceof byte[] bytes) {
      return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
    }
    if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
    }
    if (value instanceof Date date) {
      // Connect's Timestamp, Date and Time logical types: ISO-8601 in UTC, as Airbyte writes them.
      return NODES.textNode(date.toInstant().atOffset(ZoneOffset.UTC).toString());
    }
    if (value instanceof BigDecimal decimal) {
      return NODES.numberNode(decimal);
    }
    return AirbyteJson.MAPPER.valueToTree(value);
  }
}
