package io.akb.runtime.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.schema.TypedSchema.Kind;
import io.akb.runtime.schema.TypedSchema.TypedField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Turns an Airbyte stream's JSON schema into an Avro record schema, by the rules of {@link
 * TypedSchema}:
 *
 * <table>
 *   <caption>Airbyte type to Avro type</caption>
 *   <tr><th>JSON schema</th><th>Avro</th></tr>
 *   <tr><td>{@code integer}, {@code airbyte_type: integer}</td><td>{@code long}</td></tr>
 *   <tr><td>{@code number}; {@code integer} with {@code number}</td><td>{@code double}</td></tr>
 *   <tr><td>{@code boolean}</td><td>{@code boolean}</td></tr>
 *   <tr><td>{@code string} (other formats too)</td><td>{@code string}</td></tr>
 *   <tr><td>{@code format: date}</td><td>{@code int} {@code date}</td></tr>
 *   <tr><td>{@code format: date-time}, {@code timestamp_with_timezone}</td>
 *       <td>{@code long} {@code timestamp-micros} (UTC)</td></tr>
 *   <tr><td>{@code timestamp_without_timezone}</td>
 *       <td>{@code long} {@code local-timestamp-micros}</td></tr>
 *   <tr><td>{@code format: time}, {@code time_without_timezone}</td>
 *       <td>{@code long} {@code time-micros}</td></tr>
 *   <tr><td>{@code time_with_timezone}</td>
 *       <td>{@code string} (ISO text; Avro has no time with offset), {@code airbyte.type}</td></tr>
 *   <tr><td>{@code object} with properties</td>
 *       <td>{@code record} (plus {@link TypedSchema#ADDITIONAL_PROPERTIES} when open)</td></tr>
 *   <tr><td>{@code object}, no properties, typed {@code additionalProperties}</td>
 *       <td>{@code map} of it</td></tr>
 *   <tr><td>{@code array}</td><td>{@code array} of its items</td></tr>
 *   <tr><td>what cannot be typed ({@link TypedSchema.JsonReason})</td>
 *       <td>{@code string} of JSON text, marked {@value #JSON_PROP}</td></tr>
 * </table>
 *
 * <p>Every field, array item and map value is a union {@code ["null", T]} with default null: a
 * source may leave out any field. The stream's record is named by the stream ({@link
 * AvroNames#typeName}) in its namespace; a nested record is named by its field, in the namespace of
 * the record that holds it ({@code users.address}), an array's item record {@code item} and a map's
 * value record {@code value} under the field, so full names never clash. A field whose name Avro
 * forbids gets a legal one ({@link AvroNames}) and keeps its JSON name in {@value #NAME_PROP}. A
 * stream whose schema is not an object with properties is a record with only the additional
 * properties field: every value still travels.
 */
public final class AvroSchemaConverter {
  /** Field property: the field's name in the JSON schema, when its Avro name differs. */
  public static final String NAME_PROP = "airbyte.name";

  /**
   * Property of a {@code string} schema whose values are JSON text: why ({@link
   * TypedSchema.JsonReason} in lower case, or {@code additional_properties}).
   */
  public static final String JSON_PROP = "airbyte.json";

  /** Property of a {@code string} schema holding a typed text: the Airbyte type. */
  public static final String TYPE_PROP = "airbyte.type";

  /** {@value #JSON_PROP} of the additional-properties field. */
  public static final String ADDITIONAL_PROPERTIES_REASON = "additional_properties";

  private AvroSchemaConverter() {}

  /**
   * The Avro schema of a stream.
   *
   * @param namespace the stream's namespace, or null
   * @param stream the stream's name
   * @param jsonSchema the stream's JSON schema, as discovered
   */
  public static AvroStreamSchema convert(String namespace, String stream, JsonNode jsonSchema) {
    TypedSchema typed = TypedSchema.of(jsonSchema);
    if (!typed.isObject()) {
      typed = new TypedSchema(Kind.OBJECT, List.of(), true, null, null);
    }
    List<AvroStreamSchema.JsonField> jsonFields = new ArrayList<>();
    String ns = AvroNames.namespace(namespace);
    Schema schema = record(AvroNames.typeName(stream), ns, typed, "", jsonFields);
    return new AvroStreamSchema(schema, typed, List.copyOf(jsonFields));
  }

  private static Schema record(
      String name,
      String namespace,
      TypedSchema typed,
      String path,
      List<AvroStreamSchema.JsonField> jsonFields) {
    String fullName = namespace == null ? name : namespace + "." + name;
    List<Schema.Field> fields = new ArrayList<>();
    for (TypedField field : typed.fields()) {
      String fieldPath = path.isEmpty() ? field.jsonName() : path + "." + field.jsonName();
      Schema value =
          avro(field.schema(), fullName, AvroNames.typeName(field.name()), fieldPath, jsonFields);
      Schema.Field avroField =
          new Schema.Field(field.name(), nullable(value), null, Schema.Field.NULL_DEFAULT_VALUE);
      if (!field.name().equals(field.jsonName())) {
        avroField.addProp(NAME_PROP, field.jsonName());
      }
      fields.add(avroField);
    }
    if (typed.open()) {
      Schema text = Schema.create(Schema.Type.STRING);
      text.addProp(JSON_PROP, ADDITIONAL_PROPERTIES_REASON);
      fields.add(
          new Schema.Field(
              TypedSchema.ADDITIONAL_PROPERTIES,
              nullable(text),
              "The record's fields its schema does not declare, as a JSON object",
              Schema.Field.NULL_DEFAULT_VALUE));
    }
    return Schema.createRecord(name, null, namespace, false, fields);
  }

  /**
   * The Avro schema of a value.
   *
   * @param namespace where a record made here is named
   * @param name the name a record made here takes
   */
  private static Schema avro(
      TypedSchema typed,
      String namespace,
      String name,
      String path,
      List<AvroStreamSchema.JsonField> jsonFields) {
    switch (typed.kind()) {
      case INTEGER:
        return Schema.create(Schema.Type.LONG);
      case NUMBER:
        return Schema.create(Schema.Type.DOUBLE);
      case BOOLEAN:
        return Schema.create(Schema.Type.BOOLEAN);
      case STRING:
        return Schema.create(Schema.Type.STRING);
      case DATE:
        return LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
      case TIMESTAMP_WITH_TIMEZONE:
        return LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
      case TIMESTAMP_WITHOUT_TIMEZONE:
        return LogicalTypes.localTimestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
      case TIME_WITHOUT_TIMEZONE:
        return LogicalTypes.timeMicros().addToSchema(Schema.create(Schema.Type.LONG));
      case TIME_WITH_TIMEZONE:
        Schema time = Schema.create(Schema.Type.STRING);
        time.addProp(TYPE_PROP, "time_with_timezone");
        return time;
      case OBJECT:
        return record(name, namespace, typed, path, jsonFields);
      case MAP:
        return Schema.createMap(
            nullable(
                avro(typed.items(), namespace + "." + name, "value", path + "{}", jsonFields)));
      case ARRAY:
        return Schema.createArray(
            nullable(avro(typed.items(), namespace + "." + name, "item", path + "[]", jsonFields)));
      case JSON:
        jsonFields.add(new AvroStreamSchema.JsonField(path, typed.jsonReason()));
        Schema json = Schema.create(Schema.Type.STRING);
        json.addProp(JSON_PROP, typed.jsonReason().name().toLowerCase(Locale.ROOT));
        return json;
      default:
        throw new IllegalStateException("unknown kind " + typed.kind());
    }
  }

  private static Schema nullable(Schema schema) {
    return Schema.createUnion(Schema.create(Schema.Type.NULL), schema);
  }
}
