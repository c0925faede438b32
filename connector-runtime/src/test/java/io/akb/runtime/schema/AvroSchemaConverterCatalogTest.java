package io.akb.runtime.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The discovered catalogs of three real connectors from PyPI (pinned; stored by {@code
 * catalogs/generate.sh}): every stream converts to an Avro schema Avro's own parser takes back, and
 * the types of chosen fields are what the mapping says.
 */
class AvroSchemaConverterCatalogTest {
  static final String FAKER = "source-faker-7.2.1.json";
  static final String SMOKE_TEST = "source-smoke-test-0.1.2.json";
  static final String GITHUB = "source-github-2.7.1.json";

  static Stream<String> catalogs() {
    return Stream.of(FAKER, SMOKE_TEST, GITHUB);
  }

  /** A stored catalog's streams. */
  static List<JsonNode> streams(String catalog) throws IOException {
    try (InputStream in =
        AvroSchemaConverterCatalogTest.class.getResourceAsStream("catalogs/" + catalog)) {
      List<JsonNode> streams = new ArrayList<>();
      AirbyteJson.MAPPER.readTree(in).path("streams").forEach(streams::add);
      return streams;
    }
  }

  static Schema avro(String catalog, String stream) throws IOException {
    return streams(catalog).stream()
        .filter(s -> s.path("name").asText().equals(stream))
        .map(s -> AvroSchemaConverter.convert(null, stream, s.get("json_schema")).schema())
        .findFirst()
        .orElseThrow();
  }

  @ParameterizedTest
  @MethodSource("catalogs")
  void everyStreamBecomesAnAvroSchemaAvroParsesBack(String catalog) throws IOException {
    List<JsonNode> streams = streams(catalog);
    assertThat(streams).hasSizeGreaterThanOrEqualTo(3);
    for (JsonNode stream : streams) {
      Schema schema =
          AvroSchemaConverter.convert(
                  stream.path("namespace").asText(null),
                  stream.path("name").asText(),
                  stream.get("json_schema"))
              .schema();
      assertThat(new Schema.Parser().parse(schema.toString()))
          .as(stream.path("name").asText())
          .isEqualTo(schema);
      assertThat(schema.getType()).isEqualTo(Schema.Type.RECORD);
    }
  }

  @Test
  void fakerUsersAreTyped() throws IOException {
    Schema users = avro(FAKER, "users");
    assertThat(types(users))
        .containsEntry("id", "long")
        .containsEntry("age", "long")
        .containsEntry("email", "string")
        .containsEntry("created_at", "long:timestamp-micros")
        .containsEntry("updated_at", "long:timestamp-micros")
        .containsEntry("address", "record")
        .containsEntry("height", "string");
    Schema address = users.getField("address").schema().getTypes().get(1);
    assertThat(address.getFullName()).isEqualTo("users.address");
    assertThat(types(address)).containsEntry("postal_code", "string");
  }

  @Test
  void smokeTestEdgeCasesAreTypedByTheRules() throws IOException {
    assertThat(types(avro(SMOKE_TEST, "time_types")))
        .containsEntry("time_no_tz", "long:time-micros")
        .containsEntry("time_with_tz", "string")
        .containsEntry("timestamp_no_tz", "long:local-timestamp-micros");
    assertThat(types(avro(SMOKE_TEST, "timestamp_types")))
        .containsEntry("created_date", "int:date")
        .containsEntry("updated_at", "long:timestamp-micros");
    assertThat(types(avro(SMOKE_TEST, "union_types")))
        .containsEntry("string_or_integer", "string:json")
        .containsEntry("number_or_null", "double")
        .containsEntry("object_or_string", "string:json");
    Schema naming = avro(SMOKE_TEST, "column_naming_edge_cases");
    assertThat(naming.getField("column_with_dots").getProp(AvroSchemaConverter.NAME_PROP))
        .isEqualTo("column.with.dots");
    assertThat(naming.getField("column_with_spaces").getProp(AvroSchemaConverter.NAME_PROP))
        .isEqualTo("column with spaces");
    assertThat(naming.getField("CamelCaseColumn")).isNotNull();
    assertThat(avro(SMOKE_TEST, "CamelCaseStreamName").getName()).isEqualTo("CamelCaseStreamName");
    assertThat(types(avro(SMOKE_TEST, "nested_json_objects")))
        .containsEntry("metadata", "record")
        .containsEntry("items_array", "array");
  }

  @Test
  void githubsRichSchemasAreTypedDeeply() throws IOException {
    Schema issues = avro(GITHUB, "issues");
    Map<String, String> types = types(issues);
    assertThat(types)
        .containsEntry("id", "long")
        .containsEntry("created_at", "long:timestamp-micros")
        .containsEntry("user", "record")
        .containsEntry("labels", "array");
    Schema user = issues.getField("user").schema().getTypes().get(1);
    assertThat(user.getFullName()).isEqualTo("issues.user");
    assertThat(types(user)).containsEntry("login", "string");
    // Nested full names never clash, so Avro parsed every stream above.
    long records = streams(GITHUB).stream().mapToLong(s -> 1).sum();
    assertThat(records).isEqualTo(39);
  }

  /** Each field's non-null type as {@code type[:logical][:json]}. */
  static Map<String, String> types(Schema record) {
    Map<String, String> types = new TreeMap<>();
    for (Schema.Field field : record.getFields()) {
      Schema type = field.schema().getTypes().get(1);
      String name = type.getType().getName();
      if (type.getLogicalType() != null) {
        name += ":" + type.getLogicalType().getName();
      }
      String json = type.getProp(AvroSchemaConverter.JSON_PROP);
      if (json != null && !json.equals(AvroSchemaConverter.ADDITIONAL_PROPERTIES_REASON)) {
        name += ":json";
      }
      types.put(field.name(), name);
    }
    return types;
  }
}
