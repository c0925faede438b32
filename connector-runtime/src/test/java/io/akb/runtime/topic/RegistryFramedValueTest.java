package io.akb.runtime.topic;

import static io.akb.runtime.topic.RecordValueDecoderTest.RECORD;
import static io.akb.runtime.topic.RecordValueDecoderTest.bytes;
import static io.akb.runtime.topic.RecordValueDecoderTest.plain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Registry-framed values at the unit level: byte 0, the 8-byte global id, the Avro datum of the
 * schema a Kafka Connect Avro converter makes of {@code record.format=struct}'s Connect schema
 * (written out here, with its {@code connect.parameters}); the registry is a small fake answering
 * {@code GET /apis/registry/v2/ids/globalIds/<id>} on 127.0.0.1 (RegistryValuesIT in bridge-service
 * runs the real converter and registry).
 */
class RegistryFramedValueTest {
  /** The Avro schema Apicurio's AvroConverter registers for RecordValueDecoderTest's ENVELOPE. */
  static final String USERS_AVRO =
      """
      {"type":"record","name":"users","fields":[
        {"name":"id","type":["null","long"],"default":null},
        {"name":"first_name","type":["null",{"type":"string",
          "connect.parameters":{"airbyte.name":"first name"}}],"default":null},
        {"name":"born","type":["null","string"],"default":null},
        {"name":"seen","type":["null","string"],"default":null},
        {"name":"score","type":["null","double"],"default":null},
        {"name":"address","type":["null",{"type":"record","name":"address","namespace":"users",
          "fields":[
          {"name":"city","type":["null","string"],"default":null},
          {"name":"zip_code","type":["null",{"type":"string",
            "connect.parameters":{"airbyte.name":"zip code"}}],"default":null},
          {"name":"_airbyte_additional_properties","type":["null",{"type":"string",
            "connect.parameters":{"airbyte.json":"additional_properties"}}],"default":null}],
          "connect.name":"users.address"}],"default":null},
        {"name":"tags","type":["null",{"type":"array","items":["null","string"]}],"default":null},
        {"name":"anything","type":["null",{"type":"string",
          "connect.parameters":{"airbyte.json":"no_type"}}],"default":null},
        {"name":"gone","type":["null","string"],"default":null}],
       "connect.name":"users"}""";

  private HttpServer server;
  private final Map<Long, String> registered = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/apis/registry/v2/ids/globalIds/",
        exchange -> {
          requests.incrementAndGet();
          String path = exchange.getRequestURI().getPath();
          String schema = registered.get(Long.parseLong(path.substring(path.lastIndexOf('/') + 1)));
          byte[] body =
              (schema == null ? "{\"error_code\":404,\"message\":\"No artifact\"}" : schema)
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(schema == null ? 404 : 200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/apis/registry/v2";
  }

  @Test
  void aFramedStructValueGivesTheRecordJsonOfTheOtherFormsAndItsSchemaIsFetchedOnce()
      throws IOException {
    Schema schema = new Schema.Parser().parse(USERS_AVRO);
    registered.put(4242L, USERS_AVRO);
    GenericData.Record record = new GenericData.Record(schema);
    record.put("id", 7L);
    record.put("first_name", "Ada");
    record.put("born", "1815-12-10");
    record.put("seen", "2024-01-02T03:04:05Z");
    record.put("score", 1.5);
    GenericData.Record address =
        new GenericData.Record(schema.getField("address").schema().getTypes().get(1));
    address.put("city", "Oslo");
    address.put("zip_code", "0150");
    record.put("address", address);
    record.put("tags", List.of("a", "b"));
    record.put("anything", "{\"n\":[1,2.50,\"x\"]}");
    byte[] value = framed(4242L, schema, record);

    RecordValueDecoder decoder =
        new RecordValueDecoder(null, new RegistrySchemas(url() + "/", "the-setting"));
    assertThat(RecordValueDecoder.isRegistryFramed(value)).isTrue();
    assertThat(plain(decoder.decode(value))).isEqualTo(plain(RECORD));
    assertThat(plain(decoder.decode(value))).isEqualTo(plain(RECORD));
    assertThat(requests.get()).as("one fetch per id").isEqualTo(1);
    // The JSON path never asks the registry.
    assertThat(plain(decoder.decode(AirbyteJson.toJsonBytes(RECORD)))).isEqualTo(plain(RECORD));
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void anOpenObjectsUndeclaredFieldsAreMergedBack() throws IOException {
    String avro =
        """
        {"type":"record","name":"o","fields":[
          {"name":"a","type":["null","long"],"default":null},
          {"name":"_airbyte_additional_properties","type":["null",{"type":"string",
            "connect.parameters":{"airbyte.json":"additional_properties"}}],"default":null}]}""";
    registered.put(9L, avro);
    Schema schema = new Schema.Parser().parse(avro);
    GenericData.Record record = new GenericData.Record(schema);
    record.put("a", 1L);
    record.put("_airbyte_additional_properties", "{\"b\":[true],\"a\":5}");

    RecordValueDecoder decoder = new RecordValueDecoder(null, new RegistrySchemas(url(), "s"));
    assertThat(decoder.decode(framed(9L, schema, record)).toString())
        .isEqualTo("{\"a\":1,\"b\":[true]}");
  }

  @Test
  void aFramedStateEventIsTheEventOfItsJson() throws IOException {
    // The state topic's values are STRING: the converter writes an Avro string of the event's JSON.
    String avro = "{\"type\":\"string\"}";
    registered.put(3L, avro);
    String event = "{\"type\":\"SYNC_COMPLETED\",\"sync_id\":\"s1\",\"status\":\"succeeded\"}";
    byte[] value = framed(3L, new Schema.Parser().parse(avro), event);

    RecordValueDecoder decoder = new RecordValueDecoder(null, new RegistrySchemas(url(), "s"));
    StateEvent framed = decoder.decodeEvent(value);
    StateEvent plainEvent = decoder.decodeEvent(bytes(event));
    assertThat(framed).isNotNull().isEqualTo(plainEvent);
    assertThat(framed.type()).isEqualTo(StateEvent.Type.SYNC_COMPLETED);
    assertThat(decoder.decodeEvent(bytes("[1,2]"))).isNull();
    assertThat(decoder.decodeEvent(null)).isNull();
  }

  /** The converter's schema of schemaless values (Apicurio AvroData's Anything), as registered. */
  static final String ANYTHING =
      """
      {"type":"record","name":"Anything","namespace":"io.apicurio.registry.utils.converter.avro",
       "fields":[
        {"name":"boolean","type":["null","boolean"],"default":null},
        {"name":"bytes","type":["null","bytes"],"default":null},
        {"name":"int","type":["null","int"],"default":null},
        {"name":"long","type":["null","long"],"default":null},
        {"name":"float","type":["null","float"],"default":null},
        {"name":"double","type":["null","double"],"default":null},
        {"name":"string","type":["null","string"],"default":null},
        {"name":"array","type":["null",{"type":"array","items":"Anything"}],"default":null},
        {"name":"map","type":["null",{"type":"array","items":{"type":"record","name":"MapEntry",
          "fields":[{"name":"key","type":"Anything"},{"name":"value","type":"Anything"}]}}],
         "default":null}]}""";

  @Test
  void aSchemalessStateEventFramedByTheConverterIsTheEventOfItsJson() throws IOException {
    // The source task sends state events schemaless (a Map): the converter writes Anything.
    registered.put(2L, ANYTHING);
    Schema schema = new Schema.Parser().parse(ANYTHING);
    Schema entry = schema.getField("map").schema().getTypes().get(1).getElementType();
    GenericData.Record event = new GenericData.Record(schema);
    List<GenericData.Record> entries = new java.util.ArrayList<>();
    entries.add(pair(entry, schema, "type", text(schema, "SYNC_COMPLETED")));
    entries.add(pair(entry, schema, "sync_id", text(schema, "s1")));
    GenericData.Record seq = new GenericData.Record(schema);
    seq.put("long", 3L);
    entries.add(pair(entry, schema, "seq", seq));
    GenericData.Record list = new GenericData.Record(schema);
    list.put("array", List.of(text(schema, "a"), new GenericData.Record(schema)));
    entries.add(pair(entry, schema, "error", text(schema, "none")));
    entries.add(pair(entry, schema, "status", text(schema, "SUCCEEDED")));
    event.put("map", entries);

    RecordValueDecoder decoder = new RecordValueDecoder(null, new RegistrySchemas(url(), "s"));
    StateEvent read = decoder.decodeEvent(framed(2L, schema, event));
    String json =
        "{\"type\":\"SYNC_COMPLETED\",\"sync_id\":\"s1\",\"seq\":3,\"error\":\"none\","
            + "\"status\":\"SUCCEEDED\"}";
    assertThat(read).isNotNull().isEqualTo(decoder.decodeEvent(bytes(json)));
    assertThat(decoder.decode(framed(2L, schema, list)).toString()).isEqualTo("[\"a\",null]");
  }

  private static GenericData.Record text(Schema anything, String value) {
    GenericData.Record record = new GenericData.Record(anything);
    record.put("string", value);
    return record;
  }

  private static GenericData.Record pair(
      Schema entry, Schema anything, String key, GenericData.Record value) {
    GenericData.Record pair = new GenericData.Record(entry);
    pair.put("key", text(anything, key));
    pair.put("value", value);
    return pair;
  }

  @Test
  void anIdTheRegistryLacksFailsNamingTheRegistryAndTheId() {
    byte[] value = {0, 0, 0, 0, 0, 0, 0, 0, 77, 2};
    RecordValueDecoder decoder = new RecordValueDecoder(null, new RegistrySchemas(url(), "akb.x"));

    assertThatThrownBy(() -> decoder.decode(value))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("global id 77")
        .hasMessageContaining(url())
        .hasMessageContaining("404");
  }

  @Test
  void anUnreachableRegistryFailsNamingItAndTheId() {
    String url = url();
    server.stop(0);
    byte[] value = {0, 0, 0, 0, 0, 0, 0, 0, 5, 2};
    RecordValueDecoder decoder = new RecordValueDecoder(null, new RegistrySchemas(url, "akb.x"));

    assertThatThrownBy(() -> decoder.decode(value))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("global id 5")
        .hasMessageContaining("could not be reached")
        .hasMessageContaining(url)
        .hasMessageContaining("Check akb.x");
  }

  @Test
  void aFramedValueWithoutARegistryFailsNamingTheSetting() {
    byte[] value = {0, 0, 0, 0, 0, 0, 0, 0, 5, 2};
    for (RecordValueDecoder decoder :
        List.of(
            new RecordValueDecoder(null),
            new RecordValueDecoder(
                null, new RegistrySchemas(null, "akb.targets.t.schema-registry-url")))) {
      assertThatThrownBy(() -> decoder.decode(value))
          .isInstanceOf(AkbException.class)
          .hasMessageContaining("global id 5")
          .hasMessageContaining("no schema registry is configured")
          .hasMessageContaining("schema-registry-url");
    }
    assertThatThrownBy(() -> TopicCatalog.parseEvent(value)).isInstanceOf(AkbException.class);
    assertThat(requests.get()).isZero();
  }

  @Test
  void aZeroByteTooShortForAnIdIsNoValue() {
    RecordValueDecoder decoder = new RecordValueDecoder(null, new RegistrySchemas(url(), "s"));
    assertThatThrownBy(() -> decoder.decode(new byte[] {0, 1, 2}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("starts with byte 0");
    assertThat(RecordValueDecoder.isRegistryFramed(new byte[] {0, 1, 2})).isFalse();
  }

  static byte[] framed(long id, Schema schema, Object datum) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(8).putLong(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<>(schema).write(datum, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
