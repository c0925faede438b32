package io.akb.runtime.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an Airbyte stream's JSON schema says about its values, as types: the one reading of a JSON
 * schema that every typed wire format (Avro, Connect schemas) is built from, so they agree.
 *
 * <p>The rules, in order (the SQL cache's {@code ColumnType} reads scalars the same way):
 *
 * <ol>
 *   <li>{@code airbyte_type} decides first: {@code timestamp_with_timezone}, {@code
 *       timestamp_without_timezone}, {@code time_with_timezone}, {@code time_without_timezone},
 *       {@code integer} (Airbyte's way to say integer on a {@code number}), {@code date}.
 *   <li>{@code type}: a name, or a list of names where {@code null} only makes the value nullable
 *       (every value is nullable anyway: a source may leave out any field) and repeats count once.
 *       Without {@code type}: {@code oneOf}/{@code anyOf} (null members skipped), else {@code
 *       properties} means an object.
 *   <li>{@code string} with {@code format} {@code date}, {@code date-time} (with time zone, as
 *       Airbyte reads it when {@code airbyte_type} says nothing) or {@code time} (without zone);
 *       any other format is a string.
 *   <li>{@code object} with properties is an {@link Kind#OBJECT} of those fields, open to
 *       undeclared ones unless {@code additionalProperties} is {@code false}; without properties
 *       but with a typed {@code additionalProperties} schema, a {@link Kind#MAP} of it; {@code
 *       array} is an {@link Kind#ARRAY} of its {@code items} (untyped items are JSON).
 *   <li>Several non-null types are one only when all are numbers ({@code integer} and {@code
 *       number} make a {@code number}) or all the same.
 *   <li><b>The one rule for what cannot be typed</b>: a schema with no type, several types, an
 *       object without properties, an array of tuple items, a {@code $ref}, or an unknown type is
 *       {@link Kind#JSON}: its value travels as the JSON text of the value (RFC 8259, strings
 *       quoted), and {@link #jsonReason()} says why, so a writer can record it.
 * </ol>
 *
 * @param kind what the values are
 * @param fields an object's fields, in the schema's order (empty for other kinds)
 * @param open whether an object may hold fields its schema does not declare
 * @param items an array's items or a map's values (null for other kinds)
 * @param jsonReason why a {@link Kind#JSON} schema could not be typed (null for other kinds)
 */
public record TypedSchema(
    Kind kind, List<TypedField> fields, boolean open, TypedSchema items, JsonReason jsonReason) {

  /** The kinds of values a stream schema can declare. */
  public enum Kind {
    INTEGER,
    NUMBER,
    BOOLEAN,
    STRING,
    DATE,
    TIMESTAMP_WITH_TIMEZONE,
    TIMESTAMP_WITHOUT_TIMEZONE,
    TIME_WITH_TIMEZONE,
    TIME_WITHOUT_TIMEZONE,
    OBJECT,
    MAP,
    ARRAY,
    /** Untypeable: the value's JSON text. */
    JSON
  }

  /** Why a schema is {@link Kind#JSON}. */
  public enum JsonReason {
    /** No {@code type}, only {@code null}, or a schema that is not an object. */
    NO_TYPE,
    /** Several non-null types ({@code ["string","integer"]}, an {@code anyOf} of them). */
    SEVERAL_TYPES,
    /** An object that declares no properties: any keys, any values. */
    OBJECT_WITHOUT_PROPERTIES,
    /** An array whose {@code items} is a list (a tuple). */
    TUPLE,
    /** A {@code $ref} the catalog did not resolve. */
    UNRESOLVED_REF,
    /** A {@code type} name JSON Schema does not have. */
    UNKNOWN_TYPE
  }

  /**
   * A field of an object.
   *
   * @param jsonName the property's name in the JSON schema and in records
   * @param name its legal Avro name ({@link AvroNames}), equal to {@code jsonName} when legal
   * @param schema its type
   */
  public record TypedField(String jsonName, String name, TypedSchema schema) {}

  /**
   * The Avro name of the field AKB adds to every open object: the JSON text of an object holding
   * the record's undeclared fields, null when it has none. So no value a source sends is lost.
   */
  public static final String ADDITIONAL_PROPERTIES = "_airbyte_additional_properties";

  private static final TypedSchema INTEGER = scalar(Kind.INTEGER);
  private static final TypedSchema NUMBER = scalar(Kind.NUMBER);

  /** The typed reading of a JSON schema (a stream's, or any part of one). */
  public static TypedSchema of(JsonNode jsonSchema) {
    if (jsonSchema == null || !jsonSchema.isObject()) {
      return json(JsonReason.NO_TYPE);
    }
    switch (jsonSchema.path("airbyte_type").asText("")) {
      case "timestamp_with_timezone":
        return scalar(Kind.TIMESTAMP_WITH_TIMEZONE);
      case "timestamp_without_timezone":
        return scalar(Kind.TIMESTAMP_WITHOUT_TIMEZONE);
      case "time_with_timezone":
        return scalar(Kind.TIME_WITH_TIMEZONE);
      case "time_without_timezone":
        return scalar(Kind.TIME_WITHOUT_TIMEZONE);
      case "integer":
        return INTEGER;
      case "date":
        return scalar(Kind.DATE);
      default:
        break;
    }
    JsonNode type = jsonSchema.get("type");
    if (type == null || type.isNull()) {
      if (jsonSchema.has("$ref")) {
        return json(JsonReason.UNRESOLVED_REF);
      }
      JsonNode members =
          jsonSchema.has("oneOf") ? jsonSchema.get("oneOf") : jsonSchema.get("anyOf");
      if (members != null && members.isArray()) {
        List<TypedSchema> typed = new ArrayList<>();
        for (JsonNode member : members) {
          if (!"null".equals(member.path("type").asText())) {
            typed.add(of(member));
          }
        }
        return union(typed);
      }
      return jsonSchema.has("properties") ? ofType("object", jsonSchema) : json(JsonReason.NO_TYPE);
    }
    if (type.isTextual()) {
      return ofType(type.textValue(), jsonSchema);
    }
    Set<String> names = new LinkedHashSet<>();
    for (JsonNode name : type) {
      if (name.isTextual() && !name.textValue().equals("null")) {
        names.add(name.textValue());
      }
    }
    List<TypedSchema> typed = new ArrayList<>();
    for (String name : names) {
      typed.add(ofType(name, jsonSchema));
    }
    return union(typed);
  }

  /** Whether this is an object's schema with its fields. */
  public boolean isObject() {
    return kind == Kind.OBJECT;
  }

  private static TypedSchema ofType(String type, JsonNode jsonSchema) {
    switch (type) {
      case "string":
        switch (jsonSchema.path("format").asText("")) {
          case "date":
            return scalar(Kind.DATE);
          case "date-time":
            return scalar(Kind.TIMESTAMP_WITH_TIMEZONE);
          case "time":
            return scalar(Kind.TIME_WITHOUT_TIMEZONE);
          default:
            return scalar(Kind.STRING);
        }
      case "integer":
        return INTEGER;
      case "number":
        return NUMBER;
      case "boolean":
        return scalar(Kind.BOOLEAN);
      case "object":
        return object(jsonSchema);
      case "array":
        JsonNode items = jsonSchema.get("items");
        if (items != null && items.isArray()) {
          return json(JsonReason.TUPLE);
        }
        return new TypedSchema(Kind.ARRAY, List.of(), false, of(items), null);
      case "null":
        return json(JsonReason.NO_TYPE);
      default:
        return json(JsonReason.UNKNOWN_TYPE);
    }
  }

  private static TypedSchema object(JsonNode jsonSchema) {
    JsonNode properties = jsonSchema.get("properties");
    JsonNode additional = jsonSchema.get("additionalProperties");
    if (properties == null || !properties.isObject() || properties.isEmpty()) {
      // {"additionalProperties": {"type": "string"}}: a map, typed as its values are.
      if (additional != null && additional.isObject() && additional.has("type")) {
        return new TypedSchema(Kind.MAP, List.of(), false, of(additional), null);
      }
      return json(JsonReason.OBJECT_WITHOUT_PROPERTIES);
    }
    List<String> jsonNames = new ArrayList<>();
    properties.fieldNames().forEachRemaining(jsonNames::add);
    boolean open = additional == null || !(additional.isBoolean() && !additional.booleanValue());
    Map<String, String> names =
        AvroNames.assign(jsonNames, open ? Set.of(ADDITIONAL_PROPERTIES) : Set.of());
    List<TypedField> fields = new ArrayList<>(jsonNames.size());
    for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> property = it.next();
      fields.add(
          new TypedField(property.getKey(), names.get(property.getKey()), of(property.getValue())));
    }
    return new TypedSchema(Kind.OBJECT, List.copyOf(fields), open, null, null);
  }

  /** Several non-null types: one when all are numbers or all alike, else JSON. */
  private static TypedSchema union(List<TypedSchema> members) {
    if (members.isEmpty()) {
      return json(JsonReason.NO_TYPE);
    }
    TypedSchema first = members.get(0);
    boolean allNumbers = true;
    boolean allAlike = true;
    for (TypedSchema member : members) {
      allNumbers &= member.kind == Kind.INTEGER || member.kind == Kind.NUMBER;
      allAlike &= member.equals(first);
    }
    if (allAlike) {
      return first;
    }
    return allNumbers ? NUMBER : json(JsonReason.SEVERAL_TYPES);
  }

  private static TypedSchema scalar(Kind kind) {
    return new TypedSchema(kind, List.of(), false, null, null);
  }

  private static TypedSchema json(JsonReason reason) {
    return new TypedSchema(Kind.JSON, List.of(), false, null, reason);
  }
}
