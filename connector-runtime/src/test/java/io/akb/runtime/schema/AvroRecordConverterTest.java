package io.akb.runtime.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteMessageReader;
import io.akb.runtime.testkit.Faker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * Records through Avro and back: JSON to an Avro record, Avro's binary encoding, decoded with the
 * writer's schema parsed from its text (as a registry hands it out), back to JSON, equal to the
 * record as the schemaless JSON path carries it, value for value (a date-time as its instant, a
 * number as its value, a null field as a missing one).
 */
class AvroRecordConverterTest {
  private static final JsonNodeFactory NODES = AirbyteJson.MAPPER.getNodeFactory();

  @Test
  void fakersRecordedReadRoundTripsUnchanged() throws IOException {
    Map<String, JsonNode> schemas = new HashMap<>();
    for (JsonNode stream :
        AvroSchemaConverterCatalogTest.streams(AvroSchemaConverterCatalogTest.FAKER)) {
      schemas.put(stream.path("name").asText(), stream.get("json_schema"));
    }
    int records = 0;
    for (AirbyteMessage message : Faker.recordedRead()) {
      if (message.record() != null) {
        JsonNode data = message.record().data();
        List<ValueChange> changes = roundTrip(schemas.get(message.record().stream()), data);
        assertThat(changes).as(data.toString()).isEmpty();
        records++;
      }
    }
    assertThat(records).isEqualTo(300);
  }

  @Test
  void smokeTestsEdgeCaseRecordsRoundTrip() throws IOException {
    Map<String, JsonNode> schemas = new HashMap<>();
    for (JsonNode stream :
        AvroSchemaConverterCatalogTest.streams(AvroSchemaConverterCatalogTest.SMOKE_TEST)) {
      schemas.put(stream.path("name").asText(), stream.get("json_schema"));
    }
    List<String> changed = new ArrayList<>();
    int records = 0;
    try (InputStream in =
            getClass().getResourceAsStream("catalogs/source-smoke-test-0.1.2-read.jsonl");
        AirbyteMessageReader reader = new AirbyteMessageReader(in)) {
      for (AirbyteMessage m = reader.next(); m != null; m = reader.next()) {
        if (m.record() != null) {
          for (ValueChange change :
              roundTrip(schemas.get(m.record().stream()), m.record().data())) {
            changed.add(m.record().stream() + ": " + change);
          }
          records++;
        }
      }
    }
    assertThat(records).isEqualTo(57);
    // Every value of the 21 edge-case streams fits its declared type: nothing is nulled.
    assertThat(changed).isEmpty();
  }

  @Test
  void aValueThatDoesNotFitIsNulledAndTheChangeReturned() throws Exception {
    Schema schema =
        AvroSchemaConverter.convert(
                null,
                "s",
                json(
                    """
                    {"type": "object", "properties": {
                      "n": {"type": "integer"}, "big": {"type": "integer"},
                      "text_n": {"type": "integer"},
                      "x": {"type": "number"}, "digits": {"type": "number"},
                      "b": {"type": "boolean"}, "s": {"type": "string"},
                      "d": {"type": "string", "format": "date"},
                      "ts": {"type": "string", "format": "date-time"},
                      "local": {"type": "string", "format": "date-time",
                                "airbyte_type": "timestamp_without_timezone"},
                      "list": {"type": "array", "items": {"type": "integer"}},
                      "o": {"type": "object", "properties": {"k": {"type": "integer"}},
                            "additionalProperties": false}
                    }}"""))
            .schema();
    AvroRecordConverter.Converted converted =
        AvroRecordConverter.toAvro(
            schema,
            json(
                """
                {"n": "twelve", "big": 1180591620717411303424, "text_n": "12",
                 "x": 1e400, "digits": 3.14159265358979323846264,
                 "b": "yes", "s": {"not": "a string"}, "d": "2024-02-30",
                 "ts": "2024-01-02T03:04:05.123456789+02:00", "local": "2024-01-02T03:04:05Z",
                 "list": [1, "two", 3], "o": {"k": 1, "stray": true}}"""));
    assertThat(converted.changes())
        .extracting(ValueChange::toJson)
        .extracting(JsonNode::toString)
        .containsExactly(
            change("n", "NULLED", "DESTINATION_TYPECAST_ERROR"),
            change("big", "NULLED", "DESTINATION_TYPECAST_ERROR"),
            change("x", "NULLED", "DESTINATION_TYPECAST_ERROR"),
            change("digits", "NULLED", "DESTINATION_TYPECAST_ERROR"),
            change("b", "NULLED", "DESTINATION_TYPECAST_ERROR"),
            change("s", "NULLED", "DESTINATION_TYPECAST_ERROR"),
            change("d", "NULLED", "DESTINATION_TYPECAST_ERROR"),
            change("ts", "TRUNCATED", "DESTINATION_FIELD_SIZE_LIMITATION"),
            change("local", "NULLED", "DESTINATION_TYPECAST_ERROR"),
            change("list[1]", "NULLED", "DESTINATION_TYPECAST_ERROR"),
            change("o.stray", "NULLED", "DESTINATION_TYPECAST_ERROR"));
    ObjectNode back = AvroRecordConverter.toJson(decode(schema, converted.record()));
    assertThat(back.toString())
        .isEqualTo(
            "{\"text_n\":12,\"ts\":\"2024-01-02T01:04:05.123456Z\",\"list\":[1,null,3],"
                + "\"o\":{\"k\":1}}");
  }

  @Test
  void undeclaredFieldsAndJsonTextComeBackAsTheSourceSentThem() throws Exception {
    JsonNode jsonSchema =
        json(
            """
            {"type": "object", "properties": {
              "id": {"type": "integer"},
              "column.with.dots": {"type": "string"},
              "extra": {"type": "object"},
              "either": {"type": ["string", "integer"]},
              "tags": {"type": "array", "items": {}},
              "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
              "at": {"type": "string", "format": "time", "airbyte_type": "time_with_timezone"},
              "address": {"type": "object", "properties": {"city": {"type": "string"}}}
            }}""");
    JsonNode data =
        json(
            """
            {"id": 1, "column.with.dots": "dots", "extra": {"price": 1.50, "n": [1e10]},
             "either": "3", "tags": ["a", 2, {"b": null}], "counts": {"x": 1, "y": null},
             "at": "10:30:00+05:30", "address": {"city": "Oslo", "zip": "0150"},
             "undeclared": {"deep": [true]}}""");
    Schema schema = AvroSchemaConverter.convert(null, "s", jsonSchema).schema();
    AvroRecordConverter.Converted converted = AvroRecordConverter.toAvro(schema, data);
    assertThat(converted.changes()).isEmpty();
    GenericData.Record record = converted.record();
    assertThat(record.get("either").toString()).isEqualTo("\"3\""); // JSON text: a string, quoted
    assertThat(record.get("_airbyte_additional_properties").toString())
        .isEqualTo("{\"undeclared\":{\"deep\":[true]}}");
    ObjectNode back = AvroRecordConverter.toJson(decode(schema, record));
    // The source's own text: 1.50 and 1e10 in JSON text, field order of the schema first.
    assertThat(back.toString())
        .isEqualTo(
            "{\"id\":1,\"column.with.dots\":\"dots\",\"extra\":{\"price\":1.50,\"n\":[1e10]},"
                + "\"either\":\"3\",\"tags\":[\"a\",2,{\"b\":null}],\"counts\":{\"x\":1,\"y\":null},"
                + "\"at\":\"10:30:00+05:30\",\"address\":{\"city\":\"Oslo\",\"zip\":\"0150\"},"
                + "\"undeclared\":{\"deep\":[true]}}");
  }

  @Test
  void temporalValuesComeBackAsIsoTextOfTheSameValue() throws Exception {
    JsonNode jsonSchema =
        json(
            """
            {"type": "object", "properties": {
              "d": {"type": "string", "format": "date"},
              "tz": {"type": "string", "format": "date-time"},
              "no_zone_in_tz": {"type": "string", "format": "date-time"},
              "local": {"type": "string", "format": "date-time",
                        "airbyte_type": "timestamp_without_timezone"},
              "t": {"type": "string", "format": "time"},
              "old": {"type": "string", "format": "date-time"}
            }}""");
    JsonNode data =
        json(
            """
            {"d": "2024-02-29", "tz": "2024-01-02T03:04:05.5+01:00",
             "no_zone_in_tz": "2024-01-02 03:04:05", "local": "2024-01-02T03:04",
             "t": "13:45:00.000123", "old": "1969-12-31T23:59:59.999999Z"}""");
    Schema schema = AvroSchemaConverter.convert(null, "s", jsonSchema).schema();
    AvroRecordConverter.Converted converted = AvroRecordConverter.toAvro(schema, data);
    assertThat(converted.changes()).isEmpty();
    assertThat(converted.record().get("d")).isEqualTo(19782);
    assertThat(converted.record().get("old")).isEqualTo(-1L);
    assertThat(AvroRecordConverter.toJson(decode(schema, converted.record())).toString())
        .isEqualTo(
            "{\"d\":\"2024-02-29\",\"tz\":\"2024-01-02T02:04:05.500Z\","
                + "\"no_zone_in_tz\":\"2024-01-02T03:04:05Z\",\"local\":\"2024-01-02T03:04:00\","
                + "\"t\":\"13:45:00.000123\",\"old\":\"1969-12-31T23:59:59.999999Z\"}");
  }

  /**
   * Converts, encodes, decodes and converts back one record; asserts the result equals {@code data}
   * value for value; returns the changes.
   */
  private static List<ValueChange> roundTrip(JsonNode jsonSchema, JsonNode data) {
    Schema schema = AvroSchemaConverter.convert(null, "s", jsonSchema).schema();
    AvroRecordConverter.Converted converted = AvroRecordConverter.toAvro(schema, data);
    ObjectNode back = AvroRecordConverter.toJson(decode(schema, converted.record()));
    if (converted.changes().isEmpty()) {
      TypedSchema typed = TypedSchema.of(jsonSchema);
      assertThat(canonical(typed, back)).as(data.toString()).isEqualTo(canonical(typed, data));
    }
    return converted.changes();
  }

  /** Encodes with the schema, decodes with the schema parsed anew from its text. */
  private static GenericRecord decode(Schema schema, GenericData.Record record) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
      new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
      encoder.flush();
      Schema writer = new Schema.Parser().parse(schema.toString());
      return new GenericDatumReader<GenericRecord>(writer)
          .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A value as the SQL cache would store it: nulls left out of objects, integers by value, numbers
   * as their double, date-times as their instant's text, dates and times in ISO form.
   */
  private static JsonNode canonical(TypedSchema typed, JsonNode value) {
    if (value == null || value.isNull()) {
      return NODES.nullNode();
    }
    switch (typed.kind()) {
      case OBJECT:
        ObjectNode object = NODES.objectNode();
        Map<String, TypedSchema> fields = new HashMap<>();
        typed.fields().forEach(f -> fields.put(f.jsonName(), f.schema()));
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          TypedSchema field = fields.getOrDefault(e.getKey(), TypedSchema.of(null));
          if (!e.getValue().isNull()) {
            object.set(e.getKey(), canonical(field, e.getValue()));
          }
        }
        return object;
      case ARRAY:
        ArrayNode array = NODES.arrayNode();
        value.forEach(item -> array.add(canonical(typed.items(), item)));
        return array;
      case MAP:
        ObjectNode map = NODES.objectNode();
        value
            .fields()
            .forEachRemaining(e -> map.set(e.getKey(), canonical(typed.items(), e.getValue())));
        return map;
      case INTEGER:
        return NODES.numberNode(value.decimalValue().stripTrailingZeros());
      case NUMBER:
        // A DOUBLE column: 5e-324 and 4.9E-324 are one double.
        return NODES.numberNode(value.doubleValue());
      case DATE:
        return NODES.textNode(TypedValues.date(value).toString());
      case TIMESTAMP_WITH_TIMEZONE:
        return NODES.textNode(TypedValues.timestampWithTimezone(value).toString());
      case TIMESTAMP_WITHOUT_TIMEZONE:
        return NODES.textNode(TypedValues.timestampWithoutTimezone(value).toString());
      case TIME_WITHOUT_TIMEZONE:
        return NODES.textNode(TypedValues.timeWithoutTimezone(value).toString());
      default:
        return value;
    }
  }

  private static String change(String field, String change, String reason) {
    return "{\"field\":\""
        + field
        + "\",\"change\":\""
        + change
        + "\",\"reason\":\""
        + reason
        + "\"}";
  }

  private static JsonNode json(String text) throws Exception {
    return AirbyteJson.parse(text);
  }
}
