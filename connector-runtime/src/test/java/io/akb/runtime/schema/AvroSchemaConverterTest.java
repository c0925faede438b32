package io.akb.runtime.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hand-written edge cases: each a field's JSON schema and the exact Avro schema of the field in a
 * stream {@code s} with that one field {@code f} and {@code "additionalProperties": false} (so the
 * table shows only the field).
 */
class AvroSchemaConverterTest {

  static Stream<Arguments> fields() {
    String nul = "\"null\",";
    return Stream.of(
        // Scalars and nullable unions: every field is ["null", T] with default null.
        row("{\"type\": \"integer\"}", "[" + nul + "\"long\"]"),
        row("{\"type\": [\"null\", \"integer\"]}", "[" + nul + "\"long\"]"),
        row("{\"type\": [\"integer\", \"null\", \"integer\"]}", "[" + nul + "\"long\"]"),
        row("{\"type\": \"number\", \"airbyte_type\": \"integer\"}", "[" + nul + "\"long\"]"),
        row("{\"type\": \"number\"}", "[" + nul + "\"double\"]"),
        row("{\"type\": [\"integer\", \"number\"]}", "[" + nul + "\"double\"]"),
        row("{\"type\": \"boolean\"}", "[" + nul + "\"boolean\"]"),
        row("{\"type\": [\"null\", \"string\"]}", "[" + nul + "\"string\"]"),
        row("{\"type\": \"string\", \"format\": \"email\"}", "[" + nul + "\"string\"]"),
        row("{\"type\": \"string\", \"airbyte_type\": \"big_integer\"}", "[" + nul + "\"string\"]"),
        row(
            "{\"oneOf\": [{\"type\": \"null\"}, {\"type\": \"string\"}]}",
            "[" + nul + "\"string\"]"),
        row(
            "{\"anyOf\": [{\"type\": \"number\"}, {\"type\": \"null\"}]}",
            "[" + nul + "\"double\"]"),
        row(
            "{\"anyOf\": [{\"type\": \"integer\"}, {\"type\": \"number\"}]}",
            "[" + nul + "\"double\"]"),
        // Dates and times: Avro logical types, micros; with zone is UTC.
        row(
            "{\"type\": \"string\", \"format\": \"date\"}",
            "[" + nul + "{\"type\":\"int\",\"logicalType\":\"date\"}]"),
        row(
            "{\"type\": \"string\", \"format\": \"date-time\"}",
            "[" + nul + "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}]"),
        row(
            "{\"type\": [\"null\", \"string\"], \"format\": \"date-time\","
                + " \"airbyte_type\": \"timestamp_with_timezone\"}",
            "[" + nul + "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}]"),
        row(
            "{\"type\": \"string\", \"format\": \"date-time\","
                + " \"airbyte_type\": \"timestamp_without_timezone\"}",
            "[" + nul + "{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"}]"),
        row(
            "{\"type\": \"string\", \"format\": \"time\"}",
            "[" + nul + "{\"type\":\"long\",\"logicalType\":\"time-micros\"}]"),
        row(
            "{\"type\": \"string\", \"format\": \"time\", \"airbyte_type\": \"time_without_timezone\"}",
            "[" + nul + "{\"type\":\"long\",\"logicalType\":\"time-micros\"}]"),
        row(
            "{\"type\": \"string\", \"format\": \"time\", \"airbyte_type\": \"time_with_timezone\"}",
            "[" + nul + "{\"type\":\"string\",\"airbyte.type\":\"time_with_timezone\"}]"),
        // What cannot be typed: JSON text, marked with why.
        row("{}", "[" + nul + "{\"type\":\"string\",\"airbyte.json\":\"no_type\"}]"),
        row(
            "{\"type\": \"null\"}",
            "[" + nul + "{\"type\":\"string\",\"airbyte.json\":\"no_type\"}]"),
        row(
            "{\"type\": [\"string\", \"integer\"]}",
            "[" + nul + "{\"type\":\"string\",\"airbyte.json\":\"several_types\"}]"),
        row(
            "{\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}",
            "[" + nul + "{\"type\":\"string\",\"airbyte.json\":\"several_types\"}]"),
        row(
            "{\"anyOf\": [{\"type\": \"object\", \"properties\": {\"k\": {\"type\": \"string\"}}},"
                + " {\"type\": \"string\"}]}",
            "[" + nul + "{\"type\":\"string\",\"airbyte.json\":\"several_types\"}]"),
        row(
            "{\"type\": \"object\"}",
            "[" + nul + "{\"type\":\"string\",\"airbyte.json\":\"object_without_properties\"}]"),
        row(
            "{\"type\": \"object\", \"properties\": {}}",
            "[" + nul + "{\"type\":\"string\",\"airbyte.json\":\"object_without_properties\"}]"),
        row(
            "{\"type\": \"object\", \"additionalProperties\": true}",
            "[" + nul + "{\"type\":\"string\",\"airbyte.json\":\"object_without_properties\"}]"),
        row(
            "{\"type\": \"array\", \"items\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}",
            "[" + nul + "{\"type\":\"string\",\"airbyte.json\":\"tuple\"}]"),
        row(
            "{\"$ref\": \"#/definitions/address\"}",
            "[" + nul + "{\"type\":\"string\",\"airbyte.json\":\"unresolved_ref\"}]"),
        row(
            "{\"type\": \"decimal128\"}",
            "[" + nul + "{\"type\":\"string\",\"airbyte.json\":\"unknown_type\"}]"),
        // Arrays, maps, nested records.
        row(
            "{\"type\": \"array\", \"items\": {\"type\": \"string\"}}",
            "[" + nul + "{\"type\":\"array\",\"items\":[" + nul + "\"string\"]}]"),
        row(
            "{\"type\": \"array\"}",
            "["
                + nul
                + "{\"type\":\"array\",\"items\":["
                + nul
                + "{\"type\":\"string\",\"airbyte.json\":\"no_type\"}]}]"),
        row(
            "{\"type\": \"object\", \"additionalProperties\": {\"type\": \"integer\"}}",
            "[" + nul + "{\"type\":\"map\",\"values\":[" + nul + "\"long\"]}]"),
        row(
            "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}},"
                + " \"additionalProperties\": false}",
            "["
                + nul
                + "{\"type\":\"record\",\"name\":\"f\",\"namespace\":\"s\",\"fields\":["
                + "{\"name\":\"city\",\"type\":["
                + nul
                + "\"string\"],\"default\":null}]}]"),
        row(
            "{\"properties\": {\"city\": {\"type\": \"string\"}}}",
            "["
                + nul
                + "{\"type\":\"record\",\"name\":\"f\",\"namespace\":\"s\",\"fields\":["
                + "{\"name\":\"city\",\"type\":["
                + nul
                + "\"string\"],\"default\":null},"
                + ADDITIONAL
                + "]}]"),
        row(
            "{\"type\": \"array\", \"items\": {\"type\": \"object\","
                + " \"properties\": {\"sku\": {\"type\": \"string\"}}, \"additionalProperties\": false}}",
            "["
                + nul
                + "{\"type\":\"array\",\"items\":["
                + nul
                + "{\"type\":\"record\",\"name\":\"item\",\"namespace\":\"s.f\",\"fields\":["
                + "{\"name\":\"sku\",\"type\":["
                + nul
                + "\"string\"],\"default\":null}]}]}]"));
  }

  /** The additional-properties field every open record ends with. */
  private static final String ADDITIONAL =
      "{\"name\":\"_airbyte_additional_properties\",\"type\":[\"null\","
          + "{\"type\":\"string\",\"airbyte.json\":\"additional_properties\"}],"
          + "\"doc\":\"The record's fields its schema does not declare, as a JSON object\","
          + "\"default\":null}";

  private static Arguments row(String fieldSchema, String avroFieldType) {
    return Arguments.of(fieldSchema, avroFieldType);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fields")
  void aFieldSchemaBecomesItsAvroType(String fieldSchema, String expectedType) throws Exception {
    JsonNode stream =
        json(
            "{\"type\": \"object\", \"additionalProperties\": false, \"properties\": {\"f\": "
                + fieldSchema
                + "}}");
    Schema schema = AvroSchemaConverter.convert(null, "s", stream).schema();
    assertThat(schema.toString())
        .isEqualTo(
            "{\"type\":\"record\",\"name\":\"s\",\"fields\":[{\"name\":\"f\",\"type\":"
                + expectedType
                + ",\"default\":null}]}");
    // Every schema is one a registry and Avro's own parser take back as it is.
    assertThat(new Schema.Parser().parse(schema.toString())).isEqualTo(schema);
  }

  @Test
  void namesAvroForbidsAreMadeLegalAndKeptInTheSchema() throws Exception {
    JsonNode stream =
        json(
            """
            {"type": "object", "additionalProperties": false, "properties": {
              "column-with-dashes": {"type": "string"},
              "column.with.dots": {"type": "string"},
              "1st": {"type": "string"},
              "héllo wörld": {"type": "string"},
              "": {"type": "string"},
              "dup_name": {"type": "string"},
              "dup name": {"type": "string"},
              "dup-name": {"type": "string"},
              "string": {"type": "object", "properties": {"int": {"type": "integer"}},
                         "additionalProperties": false}
            }}""");
    Schema schema = AvroSchemaConverter.convert("public", "1st-table", stream).schema();
    assertThat(schema.getFullName()).isEqualTo("public._1st_table");
    assertThat(schema.getFields().stream().map(Schema.Field::name))
        .containsExactly(
            "column_with_dashes",
            "column_with_dots",
            "_1st",
            "h_llo_w_rld",
            "_",
            "dup_name",
            "dup_name_" + hash8("dup name"),
            "dup_name_" + hash8("dup-name"),
            "string");
    assertThat(schema.getField("column_with_dots").getProp(AvroSchemaConverter.NAME_PROP))
        .isEqualTo("column.with.dots");
    assertThat(schema.getField("dup_name").getProp(AvroSchemaConverter.NAME_PROP)).isNull();
    assertThat(schema.getField("_").getProp(AvroSchemaConverter.NAME_PROP)).isEqualTo("");
    // A record may not take a primitive type's name; the field keeps its own.
    Schema nested = schema.getField("string").schema().getTypes().get(1);
    assertThat(nested.getFullName()).isEqualTo("public._1st_table.string_");
  }

  @Test
  void aCollisionIsResolvedTheSameWhateverTheOrder() throws Exception {
    Schema one =
        AvroSchemaConverter.convert(
                null,
                "s",
                json(
                    "{\"properties\": {\"a b\": {\"type\": \"string\"}, \"a-b\": {\"type\": \"string\"}}}"))
            .schema();
    Schema other =
        AvroSchemaConverter.convert(
                null,
                "s",
                json(
                    "{\"properties\": {\"a-b\": {\"type\": \"string\"}, \"a b\": {\"type\": \"string\"}}}"))
            .schema();
    // Neither name is legal as it is, so neither keeps a_b: both are hashed.
    assertThat(one.getField("a_b_" + hash8("a b")).getProp(AvroSchemaConverter.NAME_PROP))
        .isEqualTo("a b");
    assertThat(other.getField("a_b_" + hash8("a b")).getProp(AvroSchemaConverter.NAME_PROP))
        .isEqualTo("a b");
    assertThat(one.getField("a_b")).isNull();
  }

  @Test
  void aPropertyNamedLikeTheAdditionalPropertiesFieldIsRenamed() throws Exception {
    Schema schema =
        AvroSchemaConverter.convert(
                null,
                "s",
                json(
                    "{\"properties\": {\"_airbyte_additional_properties\": {\"type\": \"integer\"}}}"))
            .schema();
    assertThat(schema.getFields().stream().map(Schema.Field::name))
        .containsExactly(
            "_airbyte_additional_properties_" + hash8("_airbyte_additional_properties"),
            "_airbyte_additional_properties");
  }

  @Test
  void aStreamWithoutPropertiesIsARecordOfItsAdditionalProperties() throws Exception {
    Schema schema =
        AvroSchemaConverter.convert(null, "raw", json("{\"type\": \"object\"}")).schema();
    assertThat(schema.toString())
        .isEqualTo("{\"type\":\"record\",\"name\":\"raw\",\"fields\":[" + ADDITIONAL + "]}");
  }

  @Test
  void theConverterListsEveryFieldThatTravelsAsJsonText() throws Exception {
    AvroStreamSchema converted =
        AvroSchemaConverter.convert(
            null,
            "s",
            json(
                """
                {"properties": {
                  "extra": {"type": "object"},
                  "either": {"type": ["string", "integer"]},
                  "address": {"properties": {"any": {}}},
                  "list": {"type": "array", "items": {"type": "array"}},
                  "plain": {"type": "string"}
                }}"""));
    assertThat(converted.jsonFields())
        .containsExactly(
            new AvroStreamSchema.JsonField(
                "extra", TypedSchema.JsonReason.OBJECT_WITHOUT_PROPERTIES),
            new AvroStreamSchema.JsonField("either", TypedSchema.JsonReason.SEVERAL_TYPES),
            new AvroStreamSchema.JsonField("address.any", TypedSchema.JsonReason.NO_TYPE),
            new AvroStreamSchema.JsonField("list[][]", TypedSchema.JsonReason.NO_TYPE));
  }

  static String hash8(String name) throws Exception {
    byte[] digest =
        java.security.MessageDigest.getInstance("SHA-256")
            .digest(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return java.util.HexFormat.of().formatHex(digest).substring(0, 8);
  }

  static JsonNode json(String text) throws Exception {
    return AirbyteJson.parse(text);
  }
}
