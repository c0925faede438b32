package io.akb.connect.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.schema.AvroSchemaConverter;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Connect schema and AKB's Avro schema of every stream of three real connectors' catalogs
 * (connector-runtime's stored catalogs) follow the same rules: the same fields in the same order
 * with the same legal names and JSON names, the same nesting, the same JSON-text places; a temporal
 * Avro logical type is a Connect STRING marked with its kind.
 */
class ConnectAvroAgreementTest {

  static Stream<String> catalogs() {
    return Stream.of(
        "source-faker-7.2.1.json", "source-smoke-test-0.1.2.json", "source-github-2.7.1.json");
  }

  @ParameterizedTest
  @MethodSource("catalogs")
  void connectAndAvroSchemasAgree(String catalog) throws IOException {
    int streams = 0;
    for (JsonNode stream : streams(catalog)) {
      String name = stream.path("name").asText();
      org.apache.avro.Schema avro =
          AvroSchemaConverter.convert(null, name, stream.get("json_schema")).schema();
      Schema connect = JsonSchemaConverter.toConnectSchema(name, stream.get("json_schema"));
      agree(name, avro, connect);
      streams++;
    }
    assertThat(streams).isGreaterThanOrEqualTo(3);
  }

  private static void agree(String path, org.apache.avro.Schema avro, Schema connect) {
    if (avro.getType() == org.apache.avro.Schema.Type.UNION) {
      avro = avro.getTypes().get(1);
    }
    Map<String, String> parameters = connect.parameters() == null ? Map.of() : connect.parameters();
    assertThat(parameters.get(JsonSchemaConverter.JSON_PARAM))
        .as(path)
        .isEqualTo(avro.getProp(AvroSchemaConverter.JSON_PROP));
    switch (avro.getType()) {
      case RECORD:
        assertThat(connect.type()).as(path).isEqualTo(Schema.Type.STRUCT);
        assertThat(connect.name()).as(path).isEqualTo(avro.getFullName());
        List<String> avroFields = new ArrayList<>();
        avro.getFields().forEach(f -> avroFields.add(f.name()));
        assertThat(connect.fields().stream().map(Field::name)).as(path).isEqualTo(avroFields);
        for (org.apache.avro.Schema.Field field : avro.getFields()) {
          Field connectField = connect.field(field.name());
          Map<String, String> fieldParameters =
              connectField.schema().parameters() == null
                  ? Map.of()
                  : connectField.schema().parameters();
          assertThat(fieldParameters.get(JsonSchemaConverter.NAME_PARAM))
              .as(path + "." + field.name())
              .isEqualTo(field.getProp(AvroSchemaConverter.NAME_PROP));
          assertThat(connectField.schema().isOptional()).isTrue();
          agree(path + "." + field.name(), field.schema(), connectField.schema());
        }
        return;
      case ARRAY:
        assertThat(connect.type()).as(path).isEqualTo(Schema.Type.ARRAY);
        agree(path + "[]", avro.getElementType(), connect.valueSchema());
        return;
      case MAP:
        assertThat(connect.type()).as(path).isEqualTo(Schema.Type.MAP);
        agree(path + "{}", avro.getValueType(), connect.valueSchema());
        return;
      case LONG:
      case INT:
        if (avro.getLogicalType() != null) {
          assertThat(connect.type()).as(path).isEqualTo(Schema.Type.STRING);
          assertThat(parameters).as(path).containsKey(JsonSchemaConverter.TYPE_PARAM);
        } else {
          assertThat(connect.type()).as(path).isEqualTo(Schema.Type.INT64);
        }
        return;
      case DOUBLE:
        assertThat(connect.type()).as(path).isEqualTo(Schema.Type.FLOAT64);
        return;
      case BOOLEAN:
        assertThat(connect.type()).as(path).isEqualTo(Schema.Type.BOOLEAN);
        return;
      case STRING:
        assertThat(connect.type()).as(path).isEqualTo(Schema.Type.STRING);
        return;
      default:
        throw new AssertionError(path + ": unexpected Avro type " + avro);
    }
  }

  private static List<JsonNode> streams(String catalog) throws IOException {
    try (InputStream in =
        ConnectAvroAgreementTest.class.getResourceAsStream(
            "/io/akb/runtime/schema/catalogs/" + catalog)) {
      List<JsonNode> streams = new ArrayList<>();
      AirbyteJson.MAPPER.readTree(in).path("streams").forEach(streams::add);
      return streams;
    }
  }
}
