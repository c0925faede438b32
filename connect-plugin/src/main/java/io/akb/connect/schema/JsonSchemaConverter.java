package io.akb.connect.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.schema.AvroNames;
import io.akb.runtime.schema.AvroSchemaConverter;
import io.akb.runtime.schema.TypedSchema;
import io.akb.runtime.schema.TypedSchema.TypedField;
import io.akb.runtime.schema.TypedValues;
import io.akb.runtime.schema.ValueChange;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * Turns Airbyte JSON schemas and JSON values into Connect schemas and values, by the same rules as
 * the Avro schemas of {@link AvroSchemaConverter}: one reading of the JSON schema ({@link
 * TypedSchema}), one check of each value ({@link TypedValues}), the same legal names and the same
 * one rule for what cannot be typed. So a Connect Avro converter writes the fields, names and
 * nullability AKB's own Avro schema has.
 *
 * <p>Mapping: integer → INT64, number → FLOAT64, boolean → BOOLEAN, string → STRING, object with
 * properties → STRUCT (plus the STRING field {@value TypedSchema#ADDITIONAL_PROPERTIES} holding the
 * undeclared fields' JSON object, when the object is open), object with a typed {@code
 * additionalProperties} → MAP, array → ARRAY. Dates, date-times and times are STRING holding their
 * ISO 8601 text, the text {@code AvroRecordConverter.toJson} gives back (an instant in UTC, {@code
 * ...Z}): Connect's Date, Time and Timestamp types are milliseconds in a {@code java.util.Date},
 * which would drop microseconds and the with/without zone distinction. What cannot be typed is
 * STRING holding the value's JSON text (strings quoted). Every field, item and map value is
 * optional: Airbyte sources may omit any field. A stream schema that is not an object with
 * properties is a STRUCT of only the additional-properties field.
 *
 * <p>Schema parameters make the schema self-describing as the Avro one is: {@value #NAME_PARAM} on
 * a field whose Connect name differs from its JSON name, {@value #JSON_PARAM} on a JSON-text
 * STRING, {@value #TYPE_PARAM} on a temporal STRING (a Connect Avro converter keeps them as {@code
 * connect.parameters}).
 *
 * <p>Values that do not fit their schema are nulled; {@link #toConnectValue(Schema, JsonNode,
 * List)} returns each change for the record's {@code _airbyte_meta}.
 */
public final class JsonSchemaConverter {
  /** Parameter: the JSON name of a field whose Connect name differs. */
  public static final String NAME_PARAM = AvroSchemaConverter.NAME_PROP;

  /** Parameter of a STRING holding JSON text: why it could not be typed. */
  public static final String JSON_PARAM = AvroSchemaConverter.JSON_PROP;

  /** Parameter of a STRING holding a date or time: its kind ({@code timestamp_with_timezone}). */
  public static final String TYPE_PARAM = AvroSchemaConverter.TYPE_PROP;

  private JsonSchemaConverter() {}

  /**
   * The Connect schema of a stream's JSON schema.
   *
   * @param name the schema's name (a stream name, namespace first; made a legal Avro full name)
   */
  public static Schema toConnectSchema(String name, JsonNode jsonSchema) {
    TypedSchema typed = TypedSchema.of(jsonSchema);
    if (!typed.isObject()) {
      typed = new TypedSchema(TypedSchema.Kind.OBJECT, List.of(), true, null, null);
    }
    return struct(avroName(name), typed);
  }

  /**
   * The schema of a key made of some top-level or nested fields of a record schema: one field per
   * key path, named by the legal form of the path joined by {@code .} (the path itself in {@value
   * #NAME_PARAM}).
   */
  public static Schema keySchema(String name, Schema valueSchema, List<List<String>> keyFields) {
    SchemaBuilder key = SchemaBuilder.struct().name(avroName(name) + "_key").optional();
    List<String> paths = new ArrayList<>();
    keyFields.forEach(path -> paths.add(String.join(".", path)));
    Map<String, String> names = AvroNames.assign(paths, Set.of());
    for (List<String> path : keyFields) {
      Schema fieldSchema = valueSchema;
      for (String part : path) {
        Field field = fieldSchema.type() == Schema.Type.STRUCT ? field(fieldSchema, part) : null;
        fieldSchema = field == null ? Schema.OPTIONAL_STRING_SCHEMA : field.schema();
      }
      String joined = String.join(".", path);
      String keyName = names.get(joined);
      key.field(keyName, keyName.equals(joined) ? fieldSchema : named(fieldSchema, joined));
    }
    return key.build();
  }

  /** Converts a JSON value into a value of a Connect schema made by this class. */
  public static Object toConnectValue(Schema schema, JsonNode value) {
    return toConnectValue(schema, value, new ArrayList<>());
  }

  /**
   * Converts a JSON value into a value of a Connect schema made by this class, adding to {@code
   * changes} each value nulled because it did not fit ({@link ValueChange}, Airbyte's rule).
   */
  public static Object toConnectValue(Schema schema, JsonNode value, List<ValueChange> changes) {
    return value(schema, value, "", changes);
  }

  /**
   * A JSON value as a schemaless Connect value (maps, lists, Long, Double, Boolean, String), as
   * JsonConverter with {@code schemas.enable=false} writes it back. An integer beyond 64 bits stays
   * exact as its decimal text.
   */
  public static Object toSchemalessValue(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    if (value.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        map.put(field.getKey(), toSchemalessValue(field.getValue()));
      }
      return map;
    }
    if (value.isArray()) {
      List<Object> list = new ArrayList<>(value.size());
      value.forEach(item -> list.add(toSchemalessValue(item)));
      return list;
    }
    if (value.isIntegralNumber()) {
      BigInteger big = value.bigIntegerValue();
      return big.bitLength() < 64 ? (Object) big.longValue() : big.toString();
    }
    if (value.isNumber()) {
      return value.doubleValue();
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    return value.asText();
  }

  private static Schema struct(String fullName, TypedSchema typed) {
    SchemaBuilder struct = SchemaBuilder.struct().name(fullName).optional();
    for (TypedField field : typed.fields()) {
      Schema schema = convert(fullName + "." + AvroNames.typeName(field.name()), field.schema());
      struct.field(
          field.name(),
          field.name().equals(field.jsonName()) ? schema : named(schema, field.jsonName()));
    }
    if (typed.open()) {
      struct.field(
          TypedSchema.ADDITIONAL_PROPERTIES,
          SchemaBuilder.string()
              .optional()
              .parameter(JSON_PARAM, AvroSchemaConverter.ADDITIONAL_PROPERTIES_REASON)
              .build());
    }
    return struct.build();
  }

  /** The Connect schema of a value; {@code fullName} names a struct made here. */
  private static Schema convert(String fullName, TypedSchema typed) {
    switch (typed.kind()) {
      case INTEGER:
        return Schema.OPTIONAL_INT64_SCHEMA;
      case NUMBER:
        return Schema.OPTIONAL_FLOAT64_SCHEMA;
      case BOOLEAN:
        return Schema.OPTIONAL_BOOLEAN_SCHEMA;
      case STRING:
        return Schema.OPTIONAL_STRING_SCHEMA;
      case DATE:
      case TIMESTAMP_WITH_TIMEZONE:
      case TIMESTAMP_WITHOUT_TIMEZONE:
      case TIME_WITH_TIMEZONE:
      case TIME_WITHOUT_TIMEZONE:
        return SchemaBuilder.string()
            .optional()
            .parameter(TYPE_PARAM, typed.kind().name().toLowerCase(Locale.ROOT))
            .build();
      case OBJECT:
        return struct(fullName, typed);
      case MAP:
        return SchemaBuilder.map(Schema.STRING_SCHEMA, convert(fullName + ".value", typed.items()))
            .optional()
            .build();
      case ARRAY:
        return SchemaBuilder.array(convert(fullName + ".item", typed.items())).optional().build();
      case JSON:
        return SchemaBuilder.string()
            .optional()
            .parameter(JSON_PARAM, typed.jsonReason().name().toLowerCase(Locale.ROOT))
            .build();
      default:
        throw new IllegalStateException("unknown kind " + typed.kind());
    }
  }

  private static Object value(
      Schema schema, JsonNode value, String path, List<ValueChange> changes) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    Object converted = typed(schema, value, path, changes);
    if (converted == null) {
      changes.add(new ValueChange(path, ValueChange.NULLED, "DESTINATION_TYPECAST_ERROR"));
    }
    return converted;
  }

  private static Object typed(
      Schema schema, JsonNode value, String path, List<ValueChange> changes) {
    switch (schema.type()) {
      case INT64:
        return TypedValues.integer(value);
      case FLOAT64:
        return TypedValues.number(value);
      case BOOLEAN:
        return TypedValues.bool(value);
      case STRING:
        Map<String, String> parameters = schema.parameters();
        if (parameters != null && parameters.containsKey(JSON_PARAM)) {
          return AirbyteJson.toJson(value);
        }
        if (parameters != null && parameters.containsKey(TYPE_PARAM)) {
          return temporalText(parameters.get(TYPE_PARAM), value);
        }
        return TypedValues.string(value);
      case ARRAY:
        if (!value.isArray()) {
          return null;
        }
        List<Object> items = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
          items.add(value(schema.valueSchema(), value.get(i), path + "[" + i + "]", changes));
        }
        return items;
      case MAP:
        if (!value.isObject()) {
          return null;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        value
            .fields()
            .forEachRemaining(
                e ->
                    map.put(
                        e.getKey(),
                        value(
                            schema.valueSchema(), e.getValue(), join(path, e.getKey()), changes)));
        return map;
      case STRUCT:
        return struct(schema, value, path, changes);
      default:
        throw new IllegalStateException("not a schema made by JsonSchemaConverter: " + schema);
    }
  }

  private static Struct struct(
      Schema schema, JsonNode value, String path, List<ValueChange> changes) {
    if (!value.isObject()) {
      return null;
    }
    Struct struct = new Struct(schema);
    Set<String> declared = new HashSet<>();
    Field additional = null;
    for (Field field : schema.fields()) {
      if (isAdditional(field)) {
        additional = field;
        continue;
      }
      String jsonName = jsonName(field);
      declared.add(jsonName);
      struct.put(field, value(field.schema(), value.get(jsonName), join(path, jsonName), changes));
    }
    var undeclared = AirbyteJson.MAPPER.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (!declared.contains(entry.getKey())) {
        if (additional == null) {
          changes.add(
              new ValueChange(
                  join(path, entry.getKey()), ValueChange.NULLED, "DESTINATION_TYPECAST_ERROR"));
        } else {
          undeclared.set(entry.getKey(), entry.getValue());
        }
      }
    }
    if (additional != null && !undeclared.isEmpty()) {
      struct.put(additional, AirbyteJson.toJson(undeclared));
    }
    return struct;
  }

  /** The ISO text a date or time travels as, or null when the value is none. */
  private static String temporalText(String kind, JsonNode value) {
    switch (TypedSchema.Kind.valueOf(kind.toUpperCase(Locale.ROOT))) {
      case DATE:
        LocalDate date = TypedValues.date(value);
        return date == null ? null : date.toString();
      case TIMESTAMP_WITH_TIMEZONE:
        Instant instant = TypedValues.timestampWithTimezone(value);
        return instant == null ? null : instant.toString();
      case TIMESTAMP_WITHOUT_TIMEZONE:
        LocalDateTime local = TypedValues.timestampWithoutTimezone(value);
        return local == null ? null : local.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
      case TIME_WITHOUT_TIMEZONE:
        LocalTime time = TypedValues.timeWithoutTimezone(value);
        return time == null ? null : time.format(DateTimeFormatter.ISO_LOCAL_TIME);
      case TIME_WITH_TIMEZONE:
        OffsetTime withZone = TypedValues.timeWithTimezone(value);
        return withZone == null ? null : value.textValue().trim(); // as Avro: the source's text
      default:
        throw new IllegalStateException("not a temporal kind: " + kind);
    }
  }

  /** The field of a struct made here whose JSON name is {@code jsonName}, or null. */
  private static Field field(Schema struct, String jsonName) {
    for (Field field : struct.fields()) {
      if (!isAdditional(field) && jsonName(field).equals(jsonName)) {
        return field;
      }
    }
    return null;
  }

  private static boolean isAdditional(Field field) {
    Map<String, String> parameters = field.schema().parameters();
    return field.name().equals(TypedSchema.ADDITIONAL_PROPERTIES)
        && parameters != null
        && AvroSchemaConverter.ADDITIONAL_PROPERTIES_REASON.equals(parameters.get(JSON_PARAM));
  }

  private static String jsonName(Field field) {
    Map<String, String> parameters = field.schema().parameters();
    String name = parameters == null ? null : parameters.get(NAME_PARAM);
    return name == null ? field.name() : name;
  }

  /** A copy of a schema with its field's JSON name as a parameter. */
  private static Schema named(Schema schema, String jsonName) {
    SchemaBuilder copy;
    switch (schema.type()) {
      case STRUCT:
        copy = SchemaBuilder.struct().name(schema.name());
        schema.fields().forEach(f -> copy.field(f.name(), f.schema()));
        break;
      case ARRAY:
        copy = SchemaBuilder.array(schema.valueSchema());
        break;
      case MAP:
        copy = SchemaBuilder.map(schema.keySchema(), schema.valueSchema());
        break;
      default:
        copy = SchemaBuilder.type(schema.type());
        break;
    }
    if (schema.parameters() != null) {
      copy.parameters(schema.parameters());
    }
    return copy.optional().parameter(NAME_PARAM, jsonName).build();
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** A dotted name whose parts are legal Avro names, so Avro and Protobuf converters accept it. */
  static String avroName(String name) {
    String namespace = AvroNames.namespace(name);
    return namespace == null ? "_" : namespace;
  }
}
