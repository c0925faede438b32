package io.akb.runtime.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.schema.AvroValueWriter;
import io.akb.runtime.schema.WriterSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A record topic's value in each of its forms, read as a target reads it: schemaless JSON, a
 * JsonConverter envelope and Avro single-object encoding give the same record JSON; anything else
 * fails saying what it is.
 */
class RecordValueDecoderTest {
  static final StreamDescriptor USERS = new StreamDescriptor("users", null);

  static final JsonNode SCHEMA =
      json(
          """
          {"type":"object","additionalProperties":false,"properties":{
            "id":{"type":"integer"},
            "first name":{"type":"string"},
            "born":{"type":"string","format":"date"},
            "seen":{"type":"string","format":"date-time"},
            "score":{"type":"number"},
            "address":{"type":"object","properties":{"city":{"type":"string"},"zip code":{"type":"string"}}},
            "tags":{"type":"array","items":{"type":"string"}},
            "anything":{},
            "gone":{"type":"string"}}}""");

  /** A record as the schemaless JSON path carries it: a null field left out. */
  static final JsonNode RECORD =
      json(
          """
          {"id":7,"first name":"Ada","born":"1815-12-10","seen":"2024-01-02T03:04:05Z",
           "score":1.5,"address":{"city":"Oslo","zip code":"0150"},"tags":["a","b"],
           "anything":{"n":[1,2.50,"x"]}}""");

  /** The same record as Connect's JsonConverter writes AKB's {@code record.format=struct}. */
  static final String ENVELOPE =
      """
      {"schema":{"type":"struct","optional":false,"name":"users","fields":[
        {"type":"int64","optional":true,"field":"id"},
        {"type":"string","optional":true,"field":"first_name","parameters":{"airbyte.name":"first name"}},
        {"type":"string","optional":true,"field":"born"},
        {"type":"string","optional":true,"field":"seen"},
        {"type":"double","optional":true,"field":"score"},
        {"type":"struct","optional":true,"name":"users.address","field":"address","fields":[
          {"type":"string","optional":true,"field":"city"},
          {"type":"string","optional":true,"field":"zip_code","parameters":{"airbyte.name":"zip code"}},
          {"type":"string","optional":true,"field":"_airbyte_additional_properties",
           "parameters":{"airbyte.json":"additional_properties"}}]},
        {"type":"array","optional":true,"field":"tags","items":{"type":"string","optional":true}},
        {"type":"string","optional":true,"field":"anything","parameters":{"airbyte.json":"no_type"}},
        {"type":"string","optional":true,"field":"gone"}]},
       "payload":{"id":7,"first_name":"Ada","born":"1815-12-10","seen":"2024-01-02T03:04:05Z",
        "score":1.5,"address":{"city":"Oslo","zip_code":"0150","_airbyte_additional_properties":null},
        "tags":["a","b"],"anything":"{\\"n\\":[1,2.50,\\"x\\"]}","gone":null}}""";

  @Test
  void schemalessJsonAnEnvelopeAndAvroGiveTheSameRecordJson() throws IOException {
    Schemas schemas = new Schemas();
    AvroValueWriter writer = new AvroValueWriter();
    WriterSchema schema = writer.schemaOf(USERS, SCHEMA);
    schemas.add(schema);
    byte[] avro = writer.encode(schema, RECORD).value();
    RecordValueDecoder decoder = new RecordValueDecoder(schemas);

    JsonNode fromJson = decoder.decode(AirbyteJson.toJsonBytes(RECORD));
    JsonNode fromEnvelope = decoder.decode(bytes(ENVELOPE));
    JsonNode fromAvro = decoder.decode(avro);

    assertThat(RecordValueDecoder.isAvro(avro)).isTrue();
    assertThat(plain(fromJson)).isEqualTo(plain(RECORD));
    assertThat(plain(fromEnvelope)).isEqualTo(plain(RECORD));
    assertThat(plain(fromAvro)).isEqualTo(plain(RECORD));
    // The source's number text inside JSON text survives both typed forms.
    assertThat(fromAvro.at("/anything/n/1").toString()).isEqualTo("2.50");
    assertThat(fromEnvelope.at("/anything/n/1").toString()).isEqualTo("2.50");
  }

  @Test
  void jsonValuesNeverLookForASchemaWhateverTheyHold() throws IOException {
    // Any schema lookup fails this test: the JSON path decides by the first byte alone.
    RecordValueDecoder decoder = new RecordValueDecoder(new Schemas().refusingLookups());

    assertThat(decoder.decode(bytes("{\"name\":\"Ãx\"}")).get("name").asText()).isEqualTo("Ãx");
    assertThat(decoder.decode(bytes("\"Ã\"")).asText()).isEqualTo("Ã");
    assertThat(decoder.decode(bytes(" {\"id\":1}")).get("id").asInt()).isEqualTo(1);
    assertThat(RecordValueDecoder.isAvro(bytes("{\"id\":1}"))).isFalse();
    assertThat(RecordValueDecoder.isAvro(new byte[] {(byte) 0xC3})).isFalse();
  }

  @Test
  void aRecordWithFieldsNamedSchemaAndPayloadIsNoEnvelopeUnlessItsSchemaHasAType()
      throws IOException {
    RecordValueDecoder decoder = new RecordValueDecoder(null);
    for (String record :
        List.of(
            "{\"schema\":{\"fields\":[]},\"payload\":{\"a\":1}}",
            "{\"schema\":\"public\",\"payload\":{\"a\":1}}",
            "{\"schema\":{\"type\":7},\"payload\":{\"a\":1}}",
            "{\"schema\":{\"type\":\"struct\"},\"payload\":{\"a\":1},\"id\":3}",
            "{\"schema\":{\"type\":\"struct\"}}")) {
      assertThat(decoder.decode(bytes(record))).as(record).isEqualTo(json(record));
    }
    // The real thing: JsonConverter's schema names its fields.
    String envelope =
        "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"field\":\"a\"}]},"
            + "\"payload\":{\"a\":1}}";
    assertThat(plain(decoder.decode(bytes(envelope)))).isEqualTo(plain(json("{\"a\":1}")));
  }

  @Test
  void anUnknownFingerprintIsLookedForOnceMoreThenFailsNamingItAndTheSchemasTopic() {
    Schemas schemas = new Schemas();
    byte[] value = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 2};

    assertThatThrownBy(() -> new RecordValueDecoder(schemas).decode(value))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("no schema with fingerprint 0807060504030201")
        .hasMessageContaining("schemas topic p._schemas")
        .hasMessageContaining("keep <prefix>_schemas");
    assertThat(schemas.catchUps).as("the schemas were read again before failing").isEqualTo(1);
  }

  @Test
  void aSchemaWrittenJustBeforeItsRecordIsFoundByCatchingUp() throws IOException {
    AvroValueWriter writer = new AvroValueWriter();
    WriterSchema schema = writer.schemaOf(USERS, SCHEMA);
    Schemas schemas = new Schemas();
    schemas.pending.add(schema);

    JsonNode read =
        new RecordValueDecoder(schemas).decode(writer.encode(schema, json("{\"id\":1}")).value());

    assertThat(plain(read)).isEqualTo(plain(json("{\"id\":1}")));
    assertThat(schemas.catchUps).isEqualTo(1);
  }

  @Test
  void anAvroValueWithoutASchemasTopicFailsSayingSo() {
    byte[] value = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 2};

    assertThatThrownBy(() -> new RecordValueDecoder(null).decode(value))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("Reading an Avro record value of schema 0807060504030201")
        .hasMessageContaining("no schemas topic");
  }

  @Test
  void malformedAvroBytesFailWithAnErrorThatSaysWhatTheyAre() {
    AvroValueWriter writer = new AvroValueWriter();
    WriterSchema schema = writer.schemaOf(USERS, SCHEMA);
    Schemas schemas = new Schemas();
    schemas.add(schema);
    RecordValueDecoder decoder = new RecordValueDecoder(schemas);
    byte[] whole = writer.encode(schema, RECORD).value();

    // A datum cut short.
    assertThatThrownBy(() -> decoder.decode(Arrays.copyOf(whole, whole.length - 5)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("its Avro datum does not match schema " + schema.fingerprintHex());
    // A datum of another shape: a union index the schema does not have.
    byte[] wrongUnion = Arrays.copyOf(whole, 11);
    wrongUnion[10] = 0x7E;
    assertThatThrownBy(() -> decoder.decode(wrongUnion))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("its Avro datum does not match schema " + schema.fingerprintHex());
    // 0xC3 without the rest of the header: no single-object value at all.
    for (byte[] value :
        List.of(
            new byte[] {(byte) 0xC3},
            new byte[] {(byte) 0xC3, 0x02, 1, 2, 3, 4, 5, 6, 7, 8},
            new byte[] {(byte) 0xC3, 0x01, 1, 2})) {
      assertThatThrownBy(() -> decoder.decode(value))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("it starts with 0xC3 but is no Avro single-object value");
    }
  }

  /** Writer schemas in memory, counting catch-ups; {@code pending} arrive on the next one. */
  static final class Schemas implements RecordValueDecoder.WriterSchemas {
    final Map<Long, WriterSchema> read = new HashMap<>();
    final List<WriterSchema> pending = new ArrayList<>();
    int catchUps;
    boolean refuse;

    void add(WriterSchema schema) {
      read.put(schema.fingerprint(), schema);
    }

    Schemas refusingLookups() {
      refuse = true;
      return this;
    }

    @Override
    public WriterSchema find(long fingerprint) {
      assertThat(refuse).as("a schema lookup").isFalse();
      return read.get(fingerprint);
    }

    @Override
    public void catchUp() {
      assertThat(refuse).as("a schema lookup").isFalse();
      catchUps++;
      pending.forEach(this::add);
      pending.clear();
    }

    @Override
    public String describe() {
      return "schemas topic p._schemas";
    }
  }

  /** JSON with numbers compared by value, not by how they were parsed. */
  static JsonNode plain(JsonNode node) {
    try {
      return new ObjectMapper().readTree(node.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode json(String text) {
    try {
      return AirbyteJson.parse(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
