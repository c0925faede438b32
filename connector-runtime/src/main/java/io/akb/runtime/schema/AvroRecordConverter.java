package io.akb.runtime.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Records between Airbyte's JSON and Avro, for schemas made by {@link AvroSchemaConverter}: from
 * the schema alone (its logical types and its {@value AvroSchemaConverter#NAME_PROP} and {@value
 * AvroSchemaConverter#JSON_PROP} properties), so a reader needs nothing but the writer's schema,
 * such as a registry gives it.
 *
 * <p>JSON to Avro: each value is checked by {@link TypedValues}; one that does not fit its field is
 * nulled and the change returned ({@link ValueChange}, Airbyte's rule), never silently dropped or
 * guessed. Fields the schema does not declare go, as one JSON object's text, into the record's
 * {@link TypedSchema#ADDITIONAL_PROPERTIES} field; a closed object has none, so they are dropped
 * and each one's change returned.
 *
 * <p>Avro to JSON gives the record the schemaless JSON path gives, value for value: JSON text is
 * parsed back (the source's number text kept), temporal values are ISO 8601 text ({@code
 * 2024-01-02T03:04:05.123456Z} for an instant, {@code 2024-01-02T03:04:05} without zone, {@code
 * 2024-01-02}, {@code 03:04:05}), a null field is left out (Avro cannot tell a missing field from a
 * null one). What changed on the way in (a nulled value, the text form of a date-time) reads as
 * changed.
 */
public final class AvroRecordConverter {
  private static final JsonNodeFactory NODES = AirbyteJson.MAPPER.getNodeFactory();

  private AvroRecordConverter() {}

  /**
   * A record converted to Avro.
   *
   * @param record the Avro record
   * @param changes what was changed on the way, in record order (empty when nothing)
   */
  public record Converted(GenericData.Record record, List<ValueChange> changes) {}

  /** A record's JSON data as an Avro record of a stream schema. */
  public static Converted toAvro(Schema schema, JsonNode data) {
    List<ValueChange> changes = new ArrayList<>(0);
    GenericData.Record record = record(schema, data, "", changes);
    if (record == null) {
      // Not even an object: the whole record is one wrong value.
      changes.add(ValueChange.typecast(""));
      record = new GenericData.Record(schema);
    }
    return new Converted(record, changes);
  }

  /** An Avro record of a stream schema as the record's JSON data. */
  public static ObjectNode toJson(GenericRecord record) {
    return object(record);
  }

  private static GenericData.Record record(
      Schema schema, JsonNode value, String path, List<ValueChange> changes) {
    if (!value.isObject()) {
      return null;
    }
    GenericData.Record record = new GenericData.Record(schema);
    Set<String> declared = new HashSet<>();
    Schema.Field additional = null;
    for (Schema.Field field : schema.getFields()) {
      if (isAdditional(field)) {
        additional = field;
        continue;
      }
      String jsonName = jsonName(field);
      declared.add(jsonName);
      JsonNode child = value.get(jsonName);
      record.put(field.pos(), value(field.schema(), child, join(path, jsonName), changes));
    }
    ObjectNode undeclared = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (!declared.contains(entry.getKey())) {
        if (additional == null) {
          changes.add(ValueChange.typecast(join(path, entry.getKey())));
        } else {
          if (undeclared == null) {
            undeclared = AirbyteJson.MAPPER.createObjectNode();
          }
          undeclared.set(entry.getKey(), entry.getValue());
        }
      }
    }
    if (undeclared != null) {
      record.put(additional.pos(), AirbyteJson.toJson(undeclared));
    }
    return record;
  }

  private static Object value(
      Schema schema, JsonNode value, String path, List<ValueChange> changes) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    if (schema.getType() == Schema.Type.UNION) {
      return value(nonNull(schema), value, path, changes);
    }
    Object converted = typed(schema, value, path, changes);
    if (converted == null) {
      changes.add(ValueChange.typecast(path));
    }
    return converted;
  }

  /** The Avro value of a non-null JSON value, or null when it does not fit. */
  private static Object typed(
      Schema schema, JsonNode value, String path, List<ValueChange> changes) {
    LogicalType logical = schema.getLogicalType();
    switch (schema.getType()) {
      case LONG:
        if (logical == null) {
          return TypedValues.integer(value);
        }
        switch (logical.getName()) {
          case "timestamp-micros":
            Instant instant = TypedValues.timestampWithTimezone(value);
            return instant == null ? null : micros(instant, path, changes);
          case "local-timestamp-micros":
            LocalDateTime local = TypedValues.timestampWithoutTimezone(value);
            return local == null ? null : micros(local.toInstant(ZoneOffset.UTC), path, changes);
          case "time-micros":
            LocalTime time = TypedValues.timeWithoutTimezone(value);
            if (time == null) {
              return null;
            }
            if (time.getNano() % 1000 != 0) {
              changes.add(ValueChange.truncated(path));
            }
            return time.toNanoOfDay() / 1000;
          default:
            throw new IllegalStateException("not a schema made by AvroSchemaConverter: " + schema);
        }
      case INT:
        LocalDate date = TypedValues.date(value);
        return date == null ? null : (int) date.toEpochDay();
      case DOUBLE:
        return TypedValues.number(value);
      case BOOLEAN:
        return TypedValues.bool(value);
      case STRING:
        if (schema.getProp(AvroSchemaConverter.JSON_PROP) != null) {
          return AirbyteJson.toJson(value);
        }
        if (schema.getProp(AvroSchemaConverter.TYPE_PROP) != null) {
          return TypedValues.timeWithTimezone(value) == null ? null : value.textValue().trim();
        }
        return TypedValues.string(value);
      case RECORD:
        return record(schema, value, path, changes);
      case ARRAY:
        if (!value.isArray()) {
          return null;
        }
        List<Object> items = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
          items.add(value(schema.getElementType(), value.get(i), path + "[" + i + "]", changes));
        }
        return new GenericData.Array<>(schema, items);
      case MAP:
        if (!value.isObject()) {
          return null;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = it.next();
          map.put(
              entry.getKey(),
              value(schema.getValueType(), entry.getValue(), join(path, entry.getKey()), changes));
        }
        return map;
      default:
        throw new IllegalStateException("not a schema made by AvroSchemaConverter: " + schema);
    }
  }

  /** Microseconds since the epoch; digits beyond them are cut, and that is said. */
  private static long micros(Instant instant, String path, List<ValueChange> changes) {
    if (instant.getNano() % 1000 != 0) {
      changes.add(ValueChange.truncated(path));
    }
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  private static ObjectNode object(GenericRecord record) {
    ObjectNode object = AirbyteJson.MAPPER.createObjectNode();
    for (Schema.Field field : record.getSchema().getFields()) {
      Object value = record.get(field.pos());
      if (value == null) {
        continue;
      }
      if (isAdditional(field)) {
        JsonNode undeclared = parse(value.toString());
        undeclared.fields().forEachRemaining(e -> object.putIfAbsent(e.getKey(), e.getValue()));
      } else {
        object.set(jsonName(field), json(field.schema(), value));
      }
    }
    return object;
  }

  private static JsonNode json(Schema schema, Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (schema.getType() == Schema.Type.UNION) {
      return json(nonNull(schema), value);
    }
    LogicalType logical = schema.getLogicalType();
    switch (schema.getType()) {
      case LONG:
        long number = ((Number) value).longValue();
        if (logical == null) {
          return NODES.numberNode(number);
        }
        switch (logical.getName()) {
          case "timestamp-micros":
            return NODES.textNode(Instant.EPOCH.plus(number, ChronoUnit.MICROS).toString());
          case "local-timestamp-micros":
            return NODES.textNode(
                LocalDateTime.ofInstant(
                        Instant.EPOCH.plus(number, ChronoUnit.MICROS), ZoneOffset.UTC)
                    .format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
          case "time-micros":
            return NODES.textNode(
                LocalTime.ofNanoOfDay(number * 1000).format(DateTimeFormatter.ISO_LOCAL_TIME));
          default:
            throw new IllegalStateException("not a schema made by AvroSchemaConverter: " + schema);
        }
      case INT:
        if (logical == null) {
          return NODES.numberNode(((Number) value).intValue());
        }
        return NODES.textNode(LocalDate.ofEpochDay(((Number) value).intValue()).toString());
      case DOUBLE:
        return NODES.numberNode(((Number) value).doubleValue());
      case BOOLEAN:
        return NODES.booleanNode((Boolean) value);
      case STRING:
        return schema.getProp(AvroSchemaConverter.JSON_PROP) != null
            ? parse(value.toString())
            : NODES.textNode(value.toString());
      case RECORD:
        return object((GenericRecord) value);
      case ARRAY:
        ArrayNode array = NODES.arrayNode();
        for (Object item : (Iterable<?>) value) {
          array.add(json(schema.getElementType(), item));
        }
        return array;
      case MAP:
        ObjectNode map = NODES.objectNode();
        ((Map<?, ?>) value)
            .forEach((k, v) -> map.set(k.toString(), json(schema.getValueType(), v)));
        return map;
      default:
        throw new IllegalStateException("not a schema made by AvroSchemaConverter: " + schema);
    }
  }

  private static boolean isAdditional(Schema.Field field) {
    return field.name().equals(TypedSchema.ADDITIONAL_PROPERTIES)
        && AvroSchemaConverter.ADDITIONAL_PROPERTIES_REASON.equals(
            nonNull(field.schema()).getProp(AvroSchemaConverter.JSON_PROP));
  }

  private static String jsonName(Schema.Field field) {
    String name = field.getProp(AvroSchemaConverter.NAME_PROP);
    return name == null ? field.name() : name;
  }

  /** The non-null member of a {@code ["null", T]} union. */
  private static Schema nonNull(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    for (Schema member : schema.getTypes()) {
      if (member.getType() != Schema.Type.NULL) {
        return member;
      }
    }
    return schema.getTypes().get(0);
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static JsonNode parse(String json) {
    try {
      return AirbyteJson.parse(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "not JSON text in a JSON field: " + e.getOriginalMessage());
    }
  }
}
