package io.akb.connect.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * Turns Airbyte JSON schemas and JSON values into Connect schemas and values.
 *
 * <p>Mapping: {@code integer} → INT64, {@code number} → FLOAT64, {@code boolean} → BOOLEAN, {@code
 * string} (any format) → STRING, {@code object} with properties → STRUCT, {@code array} → ARRAY of
 * its items. What has no single Connect type (an object without properties, a union of several
 * non-null types, {@code oneOf}/{@code anyOf}, a missing type) becomes STRING holding the value's
 * JSON text, so no value is ever lost. Every field is optional: Airbyte sources may omit any field.
 *
 * <p>Values that do not fit their schema (a connector sending "12" for an integer) are converted
 * when the conversion is exact, else kept as JSON text in a STRING field or dropped to null.
 */
public final class JsonSchemaConverter {

  private JsonSchemaConverter() {}

  /**
   * The Connect schema of a stream's JSON schema.
   *
   * @param name the schema's name (a stream name; made a legal Avro full name)
   */
  public static Schema toConnectSchema(String name, JsonNode jsonSchema) {
    return convert(avroName(name), jsonSchema);
  }

  /** The schema of a key made of some top-level or nested fields of a record schema. */
  public static Schema keySchema(String name, Schema valueSchema, List<List<String>> keyFields) {
    SchemaBuilder key = SchemaBuilder.struct().name(avroName(name) + "_key").optional();
    for (List<String> path : keyFields) {
      Schema fieldSchema = valueSchema;
      for (String part : path) {
        Field field = fieldSchema.type() == Schema.Type.STRUCT ? fieldSchema.field(part) : null;
        fieldSchema = field == null ? Schema.OPTIONAL_STRING_SCHEMA : field.schema();
      }
      key.field(String.join(".", path), fieldSchema);
    }
    return key.build();
  }

  /** Converts a JSON value into a value of a Connect schema made by this class. */
  public static Object toConnectValue(Schema schema, JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    switch (schema.type()) {
      case INT64:
        if (value.isIntegralNumber() && value.canConvertToLong()) {
          return value.longValue();
        }
        if (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0) {
          return value.decimalValue().longValue();
        }
        if (value.isTextual()) {
          try {
            return Long.parseLong(value.textValue().trim());
          } catch (NumberFormatException e) {
            return null;
          }
        }
        return null;
      case FLOAT64:
        if (value.isNumber()) {
          return value.doubleValue();
        }
        if (value.isTextual()) {
          try {
            return Double.parseDouble(value.textValue().trim());
          } catch (NumberFormatException e) {
            return null;
          }
        }
        return null;
      case BOOLEAN:
        if (value.isBoolean()) {
          return value.booleanValue();
        }
        return value.isTextual() ? Boolean.parseBoolean(value.textValue()) : null;
      case STRING:
        return value.isTextual() ? value.textValue() : AirbyteJson.toJson(value);
      case ARRAY:
        if (!value.isArray()) {
          return null;
        }
        List<Object> items = new ArrayList<>(value.size());
        value.forEach(item -> items.add(toConnectValue(schema.valueSchema(), item)));
        return items;
      case STRUCT:
        if (!value.isObject()) {
          return null;
        }
        Struct struct = new Struct(schema);
        for (Field field : schema.fields()) {
          struct.put(field, toConnectValue(field.schema(), value.get(field.name())));
        }
        return struct;
      default:
        throw new IllegalStateException("not a schema made by JsonSchemaConverter: " + schema);
    }
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

  private static Schema convert(String name, JsonNode jsonSchema) {
    String type = singleType(jsonSchema);
    if (type == null) {
      return Schema.OPTIONAL_STRING_SCHEMA;
    }
    switch (type) {
      case "integer":
        return Schema.OPTIONAL_INT64_SCHEMA;
      case "number":
        return Schema.OPTIONAL_FLOAT64_SCHEMA;
      case "boolean":
        return Schema.OPTIONAL_BOOLEAN_SCHEMA;
      case "string":
        return Schema.OPTIONAL_STRING_SCHEMA;
      case "array":
        JsonNode items = jsonSchema.get("items");
        Schema itemSchema =
            items == null || !items.isObject()
                ? Schema.OPTIONAL_STRING_SCHEMA
                : convert(name + "_item", items);
        return SchemaBuilder.array(itemSchema).optional().build();
      case "object":
        JsonNode properties = jsonSchema.get("properties");
        if (properties == null || !properties.isObject() || properties.isEmpty()) {
          return Schema.OPTIONAL_STRING_SCHEMA;
        }
        SchemaBuilder struct = SchemaBuilder.struct().name(name).optional();
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> property = it.next();
          struct.field(
              property.getKey(),
              convert(name + "_" + avroSimpleName(property.getKey()), property.getValue()));
        }
        return struct.build();
      default:
        return Schema.OPTIONAL_STRING_SCHEMA;
    }
  }

  /** The one non-null JSON type of a schema, or null when it has none or several. */
  private static String singleType(JsonNode jsonSchema) {
    if (jsonSchema == null || !jsonSchema.isObject()) {
      return null;
    }
    JsonNode type = jsonSchema.get("type");
    if (type == null) {
      return jsonSchema.has("properties") ? "object" : null;
    }
    if (type.isTextual()) {
      return type.textValue();
    }
    if (type.isArray()) {
      String single = null;
      for (JsonNode option : type) {
        if (option.isTextual() && !option.textValue().equals("null")) {
          if (single != null) {
            return null;
          }
          single = option.textValue();
        }
      }
      return single;
    }
    return null;
  }

  /** A dotted name whose parts are legal Avro names, so Avro and Protobuf converters accept it. */
  static String avroName(String name) {
    List<String> parts = new ArrayList<>();
    for (String part : name.split("\\.")) {
      if (!part.isEmpty()) {
        parts.add(avroSimpleName(part));
      }
    }
    return parts.isEmpty() ? "_" : String.join(".", parts);
  }

  private static String avroSimpleName(String part) {
    StringBuilder legal = new StringBuilder(part.length() + 1);
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      boolean allowed =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || c == '_'
              || (i > 0 && c >= '0' && c <= '9');
      if (i == 0 && c >= '0' && c <= '9') {
        legal.append('_');
        allowed = true;
      }
      legal.append(allowed ? c : '_');
    }
    return legal.toString();
  }
}
