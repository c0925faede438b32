package io.akb.connect.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.topic.RecordValueDecoder;
import io.akb.runtime.topic.TopicRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns a Connect record into a {@link TopicRecord} for {@link
 * io.akb.runtime.destination.TopicDestinationFeed}: the value (a Connect {@code Struct}, a
 * schemaless map, JSON text, or bytes in any of the topic contract's forms, read by {@link
 * RecordValueDecoder}: JSON, a JsonConverter envelope, Avro single-object encoding) becomes JSON,
 * the headers UTF-8 text.
 */
final class SinkRecordConverter {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private SinkRecordConverter() {}

  /**
   * The topic record of a Connect record.
   *
   * @param values the reader of byte values (the task's, with its schemas topic)
   * @throws DataException when the value is text or bytes that are neither JSON nor readable Avro
   * @throws io.akb.runtime.AkbException when it is Avro of a schema the schemas topic lacks
   */
  static TopicRecord toTopicRecord(SinkRecord record, RecordValueDecoder values) {
    return topicRecord(record, toJson(record.value(), values));
  }

  /** The topic record of a Connect record whose value cannot be read: for skipping it. */
  static TopicRecord withoutValue(SinkRecord record) {
    return topicRecord(record, null);
  }

  private static TopicRecord topicRecord(SinkRecord record, JsonNode value) {
    return new TopicRecord(
        record.topic(),
        record.kafkaPartition(),
        record.kafkaOffset(),
        record.timestamp(),
        headers(record),
        value);
  }

  /** Each header's last value as text. */
  private static Map<String, String> headers(SinkRecord record) {
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) {
      Object value = header.value();
      if (value != null) {
        headers.put(
            header.key(),
            value instanceof byte[] bytes
                ? new String(bytes, StandardCharsets.UTF_8)
                : value.toString());
      }
    }
    return headers;
  }

  /** Any value a Connect converter produces, as JSON. */
  static JsonNode toJson(Object value, RecordValueDecoder values) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof String text) {
      return parse(text);
    }
    if (value instanceof byte[] bytes) {
      return decode(bytes, values);
    }
    if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return decode(bytes, values);
    }
    return toJsonValue(value);
  }

  private static JsonNode decode(byte[] bytes, RecordValueDecoder values) {
    try {
      return values.decode(bytes);
    } catch (IOException e) {
      throw new DataException(
          (RecordValueDecoder.isAvro(bytes)
                  ? "the Avro value cannot be read: "
                  : "the value is not JSON: ")
              + e.getMessage(),
          e);
    }
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
