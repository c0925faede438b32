package io.akb.connect.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.schema.ValueChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class JsonSchemaConverterTest {

  private static JsonNode json(String text) throws Exception {
    return AirbyteJson.parse(text);
  }

  @Test
  void anAirbyteStreamSchemaBecomesAStructOfOptionalFields() throws Exception {
    JsonNode jsonSchema =
        json(
            """
            {"type": "object", "properties": {
              "id": {"type": "integer"},
              "price": {"type": ["null", "number"]},
              "name": {"type": ["null", "string"]},
              "created_at": {"type": "string", "format": "date-time"},
              "active": {"type": "boolean"},
              "tags": {"type": "array", "items": {"type": "string"}},
              "address": {"type": "object", "properties": {"city": {"type": "string"}}},
              "extra": {"type": "object"},
              "either": {"type": ["string", "integer"]}
            }}""");
    Schema schema = JsonSchemaConverter.toConnectSchema("users", jsonSchema);

    assertThat(schema.type()).isEqualTo(Schema.Type.STRUCT);
    assertThat(schema.name()).isEqualTo("users");
    assertThat(schema.field("id").schema()).isEqualTo(Schema.OPTIONAL_INT64_SCHEMA);
    assertThat(schema.field("price").schema()).isEqualTo(Schema.OPTIONAL_FLOAT64_SCHEMA);
    assertThat(schema.field("name").schema()).isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    assertThat(schema.field("created_at").schema().type()).isEqualTo(Schema.Type.STRING);
    assertThat(schema.field("created_at").schema().parameters())
        .containsEntry(JsonSchemaConverter.TYPE_PARAM, "timestamp_with_timezone");
    assertThat(schema.field("active").schema()).isEqualTo(Schema.OPTIONAL_BOOLEAN_SCHEMA);
    assertThat(schema.field("tags").schema().valueSchema())
        .isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    assertThat(schema.field("address").schema().field("city").schema())
        .isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    assertThat(schema.field("extra").schema().parameters())
        .containsEntry(JsonSchemaConverter.JSON_PARAM, "object_without_properties");
    assertThat(schema.field("either").schema().parameters())
        .containsEntry(JsonSchemaConverter.JSON_PARAM, "several_types");
    assertThat(schema.field("address").schema().name()).isEqualTo("users.address");

    Struct value =
        (Struct)
            JsonSchemaConverter.toConnectValue(
                schema,
                json(
                    """
                    {"id": 7, "price": 9.5, "name": null, "created_at": "2024-01-01T00:00:00Z",
                     "active": true, "tags": ["a", "b"], "address": {"city": "Oslo"},
                     "extra": {"k": [1, 2]}, "either": 3}"""));
    value.validate();
    assertThat(value.getInt64("id")).isEqualTo(7L);
    assertThat(value.getFloat64("price")).isEqualTo(9.5);
    assertThat(value.getString("name")).isNull();
    assertThat(value.getArray("tags")).containsExactly("a", "b");
    assertThat(value.getStruct("address").getString("city")).isEqualTo("Oslo");
    assertThat(value.getString("extra")).isEqualTo("{\"k\":[1,2]}");
    assertThat(value.getString("either")).isEqualTo("3");
    // ISO text of the instant, as AvroRecordConverter gives it back.
    assertThat(value.getString("created_at")).isEqualTo("2024-01-01T00:00:00Z");
  }

  @Test
  void valuesOfTheWrongTypeAreConvertedWhenExactElseNulledWithTheChange() throws Exception {
    Schema schema =
        JsonSchemaConverter.toConnectSchema(
            "s",
            json(
                "{\"properties\": {\"n\": {\"type\": \"integer\"}, \"m\": {\"type\": \"integer\"}}}"));
    List<ValueChange> changes = new ArrayList<>();
    Struct value =
        (Struct)
            JsonSchemaConverter.toConnectValue(
                schema, json("{\"n\": \"12\", \"m\": \"x\"}"), changes);
    assertThat(value.getInt64("n")).isEqualTo(12L);
    assertThat(value.getInt64("m")).isNull();
    assertThat(changes)
        .containsExactly(new ValueChange("m", "NULLED", "DESTINATION_TYPECAST_ERROR"));
  }

  @Test
  void schemalessValuesAreMapsListsAndJavaPrimitives() throws Exception {
    Object value =
        JsonSchemaConverter.toSchemalessValue(
            json(
                "{\"a\": 1, \"b\": 2.5, \"c\": [true, \"x\"], \"d\": 123456789012345678901234567890}"));
    assertThat(value)
        .isEqualTo(
            Map.of(
                "a", 1L, "b", 2.5, "c", List.of(true, "x"), "d", "123456789012345678901234567890"));
  }

  @Test
  void schemaNamesAreLegalAvroNames() {
    assertThat(JsonSchemaConverter.avroName("public.1st-table")).isEqualTo("public._1st_table");
  }

  @Test
  void aKeySchemaHasTheKeyFieldsWithTheirTypes() throws Exception {
    Schema schema =
        JsonSchemaConverter.toConnectSchema(
            "s",
            json(
                "{\"properties\": {\"id\": {\"type\": \"integer\"}, \"o\": {\"type\": \"object\","
                    + " \"properties\": {\"r\": {\"type\": \"string\"}}}}}"));
    Schema key =
        JsonSchemaConverter.keySchema("s", schema, List.of(List.of("id"), List.of("o", "r")));
    assertThat(key.field("id").schema()).isEqualTo(Schema.OPTIONAL_INT64_SCHEMA);
    // A key field's name is a legal Avro name too; its path stays in a parameter.
    assertThat(key.field("o_r").schema().type()).isEqualTo(Schema.Type.STRING);
    assertThat(key.field("o_r").schema().parameters())
        .containsEntry(JsonSchemaConverter.NAME_PARAM, "o.r");
  }

  @Test
  void fieldNamesAvroForbidsAreLegalWithTheJsonNameKept() throws Exception {
    Schema schema =
        JsonSchemaConverter.toConnectSchema(
            "s",
            json(
                "{\"properties\": {\"column.with.dots\": {\"type\": \"integer\"},"
                    + " \"a b\": {\"type\": \"object\", \"properties\": {\"x\": {\"type\": \"string\"}}}}}"));
    assertThat(schema.fields().stream().map(f -> f.name()))
        .containsExactly("column_with_dots", "a_b", "_airbyte_additional_properties");
    assertThat(schema.field("a_b").schema().parameters())
        .containsEntry(JsonSchemaConverter.NAME_PARAM, "a b");
    Struct value =
        (Struct)
            JsonSchemaConverter.toConnectValue(
                schema, json("{\"column.with.dots\": 1, \"a b\": {\"x\": \"y\"}, \"other\": [1]}"));
    value.validate();
    assertThat(value.getInt64("column_with_dots")).isEqualTo(1L);
    assertThat(value.getStruct("a_b").getString("x")).isEqualTo("y");
    assertThat(value.getString("_airbyte_additional_properties")).isEqualTo("{\"other\":[1]}");
  }
}
