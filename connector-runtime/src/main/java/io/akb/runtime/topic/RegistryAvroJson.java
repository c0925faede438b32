package io.akb.runtime.topic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.schema.AvroSchemaConverter;
import io.akb.runtime.schema.TypedSchema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * A datum of a schema a registry holds (one the Kafka Connect Avro converter made from the Connect
 * schema of {@code record.format=struct}) as JSON: records as objects, unions by their branch. The
 * Connect parameters {@code JsonSchemaConverter} sets, which the converter keeps in {@code
 * connect.parameters}, give back what the struct changed: {@code airbyte.name} a field's JSON name,
 * {@code airbyte.json} a JSON-text string's JSON (an open object's undeclared fields merged back).
 */
final class RegistryAvroJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Where the Kafka Connect Avro converters keep a Connect schema's parameters. */
  static final String CONNECT_PARAMETERS = "connect.parameters";

  private RegistryAvroJson() {}

  static JsonNode toJson(Schema schema, Object value) throws IOException {
    if (value == null) {
      return NODES.nullNode();
    }
    switch (schema.getType()) {
      case UNION:
        return toJson(schema.getTypes().get(GenericData.get().resolveUnion(schema, value)), value);
      case RECORD:
        GenericRecord record = (GenericRecord) value;
        if (isAnything(record.getSchema())) {
          return anything(record);
        }
        ObjectNode object = NODES.objectNode();
        ObjectNode undeclared = null;
        for (Schema.Field field : record.getSchema().getFields()) {
          Object child = record.get(field.pos());
          if (child == null) {
            continue;
          }
          Map<?, ?> parameters = parameters(field.schema());
          if (field.name().equals(TypedSchema.ADDITIONAL_PROPERTIES)
              && parameters.containsKey(AvroSchemaConverter.JSON_PROP)) {
            // An open object's undeclared fields, kept as one JSON text: back into the object.
            undeclared = (ObjectNode) AirbyteJson.MAPPER.readTree(child.toString());
            continue;
          }
          Object jsonName = parameters.get(AvroSchemaConverter.NAME_PROP);
          object.set(
              jsonName == null ? field.name() : jsonName.toString(), toJson(field.schema(), child));
        }
        if (undeclared != null) {
          undeclared.fields().forEachRemaining(e -> object.putIfAbsent(e.getKey(), e.getValue()));
        }
        return object;
      case MAP:
        ObjectNode map = NODES.objectNode();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
          map.set(entry.getKey().toString(), toJson(schema.getValueType(), entry.getValue()));
        }
        return map;
      case ARRAY:
        ArrayNode array = NODES.arrayNode();
        for (Object item : (Iterable<?>) value) {
          array.add(toJson(schema.getElementType(), item));
        }
        return array;
      case STRING:
        String text = value.toString();
        return isJsonText(schema) ? AirbyteJson.MAPPER.readTree(text) : NODES.textNode(text);
      case ENUM:
        return NODES.textNode(value.toString());
      case BOOLEAN:
        return NODES.booleanNode((Boolean) value);
      case INT:
        int i = (Integer) value;
        return logical(schema, "date")
            ? NODES.textNode(LocalDate.ofEpochDay(i).toString())
            : NODES.numberNode(i);
      case LONG:
        long l = (Long) value;
        if (logical(schema, "timestamp-millis")) {
          return NODES.textNode(Instant.ofEpochMilli(l).toString());
        }
        if (logical(schema, "timestamp-micros")) {
          return NODES.textNode(Instant.EPOCH.plusNanos(l * 1000).toString());
        }
        return NODES.numberNode(l);
      case FLOAT:
        return NODES.numberNode((Float) value);
      case DOUBLE:
        return NODES.numberNode((Double) value);
      case BYTES:
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
      case FIXED:
        return NODES.textNode(
            Base64.getEncoder().encodeToString(((GenericData.Fixed) value).bytes()));
      case NULL:
      default:
        return NODES.nullNode();
    }
  }

  /**
   * Whether a schema is the converter's schema of a schemaless value (its {@code Anything}): a
   * record of one optional field per Connect type, a map as an array of {@code key}/{@code value}
   * records. The state topic's events are such values.
   */
  static boolean isAnything(Schema schema) {
    if (schema.getType() != Schema.Type.RECORD || schema.getField("map") == null) {
      return false;
    }
    for (Schema.Field field : schema.getFields()) {
      if (!ANYTHING_FIELDS.contains(field.name())) {
        return false;
      }
    }
    return schema.getField("array") != null;
  }

  private static final java.util.Set<String> ANYTHING_FIELDS =
      java.util.Set.of(
          "boolean", "bytes", "int", "long", "float", "double", "string", "array", "map");

  /** A schemaless value: its one non-null field; a map's entries as an object's fields. */
  private static JsonNode anything(GenericRecord record) throws IOException {
    for (Schema.Field field : record.getSchema().getFields()) {
      Object child = record.get(field.pos());
      if (child == null) {
        continue;
      }
      switch (field.name()) {
        case "map":
          ObjectNode object = NODES.objectNode();
          for (Object entry : (Iterable<?>) child) {
            GenericRecord pair = (GenericRecord) entry;
            JsonNode key = element(pair.get("key"));
            object.set(
                key.isTextual() ? key.textValue() : key.toString(), element(pair.get("value")));
          }
          return object;
        case "array":
          ArrayNode array = NODES.arrayNode();
          for (Object item : (Iterable<?>) child) {
            array.add(element(item));
          }
          return array;
        default:
          return toJson(field.schema(), child);
      }
    }
    return NODES.nullNode();
  }

  private static JsonNode element(Object value) throws IOException {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof GenericRecord record) {
      return isAnything(record.getSchema()) ? anything(record) : toJson(record.getSchema(), record);
    }
    return NODES.textNode(value.toString());
  }

  private static boolean logical(Schema schema, String name) {
    LogicalType logical = schema.getLogicalType();
    return logical != null && logical.getName().equals(name);
  }

  private static boolean isJsonText(Schema schema) {
    return parameters(schema).containsKey(AvroSchemaConverter.JSON_PROP);
  }

  /** The Connect parameters the converter kept on a schema (on a union's non-null branch). */
  private static Map<?, ?> parameters(Schema schema) {
    if (schema.getType() == Schema.Type.UNION) {
      for (Schema branch : schema.getTypes()) {
        if (branch.getType() != Schema.Type.NULL) {
          return parameters(branch);
        }
      }
      return Map.of();
    }
    return schema.getObjectProp(CONNECT_PARAMETERS) instanceof Map<?, ?> parameters
        ? parameters
        : Map.of();
  }
}
