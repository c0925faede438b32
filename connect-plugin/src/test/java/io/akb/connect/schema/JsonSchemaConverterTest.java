package io.akb.connect.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
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
    assertThat(schema.field("created_at").schema()).isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    assertThat(schema.field("active").schema()).isEqualTo(Schema.OPTIONAL_BOOLEAN_SCHEMA);
    assertThat(schema.field("tags").schema().valueSchema())
        .isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    assertThat(schema.field("address").schema().field("city").schema())
        .isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    assertThat(schema.field("extra").schema()).isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    assertThat(schema.field("either").schema()).isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);

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
  }

  @Test
  void valuesOfTheWrongTypeAreConvertedWhenExactElseNull() throws Exception {
    Schema schema =
        JsonSchemaConverter.toConnectSchema(
            "s",
            json(
                "{\"properties\": {\"n\": {\"type\": \"integer\"}, \"m\": {\"type\": \"integer\"}}}"));
    Struct value =
        (Struct) JsonSchemaConverter.toConnectValue(schema, json("{\"n\": \"12\", \"m\": \"x\"}"));
    assertThat(value.getInt64("n")).isEqualTo(12L);
    assertThat(value.getInt64("m")).isNull();
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
    assertThat(key.field("o.r").schema()).isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
  }
}
