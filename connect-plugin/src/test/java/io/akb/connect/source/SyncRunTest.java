package io.akb.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.connect.source.AirbyteSourceConfig.RecordFormat;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteCatalog;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.schema.AvroValueWriter;
import io.akb.runtime.schema.WriterSchema;
import io.akb.runtime.topic.RecordPartitioner;
import io.akb.runtime.topic.RecordValueDecoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class SyncRunTest {
  private static final String CATALOG =
      """
      {"streams": [
        {"stream": {"name": "users", "json_schema": {"type": "object", "properties":
            {"id": {"type": "integer"}, "name": {"type": "string"}}}},
         "sync_mode": "incremental", "cursor_field": ["id"], "destination_sync_mode": "append_dedup",
         "primary_key": [["id"]]},
        {"stream": {"name": "events", "namespace": "app", "json_schema": {"type": "object", "properties":
            {"at": {"type": "string"}}}},
         "sync_mode": "full_refresh", "destination_sync_mode": "overwrite", "primary_key": []}
      ]}""";

  private static AirbyteMessage message(String json) throws Exception {
    return AirbyteJson.MAPPER.readValue(json, AirbyteMessage.class);
  }

  private static SyncRun run(RecordFormat format, SourceOffsets offsets) throws Exception {
    return run(format, offsets, null);
  }

  private static SyncRun run(RecordFormat format, SourceOffsets offsets, AvroValueWriter avro)
      throws Exception {
    ConfiguredAirbyteCatalog catalog =
        AirbyteJson.MAPPER.readValue(CATALOG, ConfiguredAirbyteCatalog.class);
    return new SyncRun(
        "conn-0",
        "source-test",
        "p.",
        catalog,
        SyncRun.recordTopics("p.", discovered(catalog)),
        Map.of("p.users", 3, "p.app.events", 1, "p._state", 1),
        format,
        offsets,
        new RecordPartitioner(),
        avro);
  }

  private static AirbyteCatalog discovered(ConfiguredAirbyteCatalog catalog) {
    return new AirbyteCatalog(
        catalog.streams().stream().map(ConfiguredAirbyteStream::stream).toList(), null);
  }

  @Test
  void streamsWhoseNamesCollideAfterSanitizingEachGetATopicOfTheirOwn() throws Exception {
    ConfiguredAirbyteCatalog catalog =
        AirbyteJson.MAPPER.readValue(
            """
            {"streams": [
              {"stream": {"name": "dup name", "json_schema": {}}, "sync_mode": "full_refresh",
               "destination_sync_mode": "overwrite"},
              {"stream": {"name": "dup_name", "json_schema": {}}, "sync_mode": "full_refresh",
               "destination_sync_mode": "overwrite"}
            ]}""",
            ConfiguredAirbyteCatalog.class);
    Map<StreamDescriptor, String> topics = SyncRun.recordTopics("p.", discovered(catalog));
    String spaced = topics.get(new StreamDescriptor("dup name", null));
    assertThat(spaced).startsWith("p.dup_name_");
    assertThat(topics.get(new StreamDescriptor("dup_name", null))).isEqualTo("p.dup_name");
    SyncRun run =
        new SyncRun(
            "conn-0",
            "source-test",
            "p.",
            catalog,
            topics,
            Map.of("p.dup_name", 1, spaced, 1, "p._state", 1),
            RecordFormat.JSON,
            new SourceOffsets(Map.of(), 1),
            new RecordPartitioner(),
            null);

    List<SourceRecord> out = new ArrayList<>();
    for (String stream : List.of("dup name", "dup_name", "dup name")) {
      out.addAll(
          run.onMessage(
              message(
                  "{\"type\":\"RECORD\",\"record\":{\"stream\":\""
                      + stream
                      + "\",\"emitted_at\":1,\"data\":{\"from\":\""
                      + stream
                      + "\"}}}")));
    }
    assertThat(out).extracting(SourceRecord::topic).containsExactly(spaced, "p.dup_name", spaced);
    assertThat(out)
        .allSatisfy(
            r ->
                assertThat(value(r).get("from"))
                    .isEqualTo(r.topic().equals(spaced) ? "dup name" : "dup_name"));
    assertThat(run.counts()).containsEntry(spaced + "/0", 2L).containsEntry("p.dup_name/0", 1L);
  }

  /** JSON with numbers compared by value, not by how they were parsed. */
  static JsonNode plain(JsonNode node) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(node.toString());
  }

  private static Map<?, ?> value(SourceRecord record) {
    return (Map<?, ?>) record.value();
  }

  @Test
  void recordsGoToTheirTopicsKeyedAndCountedAndStatesBecomeCheckpoints() throws Exception {
    SourceOffsets offsets = new SourceOffsets(Map.of(), 1);
    SyncRun run = run(RecordFormat.JSON, offsets);
    SourceRecord started = run.started();
    assertThat(started.topic()).isEqualTo("p._state");
    assertThat(started.key()).isEqualTo("conn-0");
    assertThat(value(started).get("type")).isEqualTo("SYNC_STARTED");
    assertThat(value(started).get("sync_id")).isEqualTo(run.syncId());

    List<SourceRecord> out = new ArrayList<>();
    for (int id = 1; id <= 5; id++) {
      out.addAll(
          run.onMessage(
              message(
                  "{\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"emitted_at\":1700000000000,"
                      + "\"data\":{\"id\":"
                      + id
                      + ",\"name\":\"u"
                      + id
                      + "\"},"
                      + "\"meta\":{\"changes\":[{\"field\":\"name\",\"change\":\"TRUNCATED\"}]}}}")));
    }
    out.addAll(
        run.onMessage(
            message(
                "{\"type\":\"RECORD\",\"record\":{\"stream\":\"events\",\"namespace\":\"app\",\"emitted_at\":1,\"data\":{\"at\":\"now\"}}}")));
    out.addAll(
        run.onMessage(
            message("{\"type\":\"LOG\",\"log\":{\"level\":\"INFO\",\"message\":\"hi\"}}")));
    String state =
        "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"users\"},\"stream_state\":{\"id\":5}}}";
    List<SourceRecord> checkpoint =
        run.onMessage(message("{\"type\":\"STATE\",\"state\":" + state + "}"));

    assertThat(out).hasSize(6);
    SourceRecord first = out.get(0);
    assertThat(first.topic()).isEqualTo("p.users");
    assertThat(first.key()).isEqualTo(Map.of("id", 1L));
    assertThat(value(first)).isEqualTo(Map.of("id", 1L, "name", "u1"));
    assertThat(first.timestamp()).isEqualTo(1700000000000L);
    assertThat(first.headers().lastWithName("airbyte.stream").value()).isEqualTo("users");
    assertThat(first.headers().lastWithName("airbyte.sync_id").value()).isEqualTo(run.syncId());
    assertThat(first.headers().lastWithName("airbyte.meta").value().toString())
        .contains("TRUNCATED");
    assertThat(first.sourcePartition()).isEqualTo(Map.of("stream", "users"));
    assertThat(first.sourceOffset()).isNull(); // no state yet
    SourceRecord event = out.get(5);
    assertThat(event.topic()).isEqualTo("p.app.events");
    assertThat(event.key()).isNull();
    assertThat(event.kafkaPartition()).isZero();
    assertThat(event.headers().lastWithName("airbyte.namespace").value()).isEqualTo("app");

    // The same key always picks the same partition.
    SyncRun again = run(RecordFormat.JSON, new SourceOffsets(Map.of(), 1));
    SourceRecord same =
        again
            .onMessage(
                message(
                    "{\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"emitted_at\":1,\"data\":{\"id\":3}}}"))
            .get(0);
    assertThat(same.kafkaPartition()).isEqualTo(out.get(2).kafkaPartition());

    assertThat(checkpoint).hasSize(1);
    SourceRecord cp = checkpoint.get(0);
    assertThat(run.isCheckpoint(cp)).isTrue();
    assertThat(cp.sourcePartition()).isEqualTo(Map.of("stream", "users"));
    assertThat(plain(AirbyteJson.parse((String) cp.sourceOffset().get("state"))))
        .isEqualTo(plain(AirbyteJson.parse(state)));
    JsonNode cpValue = AirbyteJson.MAPPER.valueToTree(cp.value());
    assertThat(cpValue.path("type").asText()).isEqualTo("CHECKPOINT");
    assertThat(cpValue.path("seq").asLong()).isEqualTo(1);
    long usersCounted = 0;
    for (var count : (Iterable<JsonNode>) () -> cpValue.path("counts").elements()) {
      usersCounted += count.asLong();
    }
    assertThat(usersCounted).isEqualTo(6);
    assertThat(cpValue.path("counts").path("p.app.events/0").asLong()).isEqualTo(1);
    assertThat(plain(cpValue.path("state"))).isEqualTo(plain(AirbyteJson.parse(state)));

    // Records after the checkpoint carry its state, so committing them keeps it.
    SourceRecord after =
        run.onMessage(
                message(
                    "{\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"emitted_at\":1,\"data\":{\"id\":6}}}"))
            .get(0);
    assertThat(after.sourceOffset()).isEqualTo(cp.sourceOffset());

    List<SourceRecord> end = run.completed(null);
    assertThat(end).hasSize(3);
    assertThat(value(end.get(0)).get("type")).isEqualTo("STREAM_STATUS");
    assertThat(value(end.get(0)).get("status")).isEqualTo("COMPLETE");
    Map<?, ?> completed = value(end.get(2));
    assertThat(completed.get("type")).isEqualTo("SYNC_COMPLETED");
    assertThat(completed.get("status")).isEqualTo("SUCCEEDED");
    assertThat(
            ((Map<?, ?>) completed.get("counts")).values().stream().mapToLong(v -> (Long) v).sum())
        .isEqualTo(7);
  }

  @Test
  void structFormatBuildsValuesAndKeysFromTheStreamSchema() throws Exception {
    SyncRun run = run(RecordFormat.STRUCT, new SourceOffsets(Map.of(), 1));
    SourceRecord record =
        run.onMessage(
                message(
                    "{\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"emitted_at\":1,\"data\":{\"id\":9,\"name\":\"n\"}}}"))
            .get(0);
    Struct value = (Struct) record.value();
    value.validate();
    assertThat(value.getInt64("id")).isEqualTo(9L);
    assertThat(((Struct) record.key()).getInt64("id")).isEqualTo(9L);
    assertThat(record.keySchema().name()).isEqualTo("users_key");
  }

  @Test
  void aFailedSyncEndsWithIncompleteStreamsAndTheError() throws Exception {
    SyncRun run = run(RecordFormat.JSON, new SourceOffsets(Map.of(), 1));
    List<SourceRecord> end = run.completed("source-test read failed: boom");
    assertThat(value(end.get(0)).get("status")).isEqualTo("INCOMPLETE");
    assertThat(value(end.get(2)).get("status")).isEqualTo("FAILED");
    assertThat(value(end.get(2)).get("error")).isEqualTo("source-test read failed: boom");
  }

  @Test
  void aGlobalStateNeedsASingleTask() throws Exception {
    SourceOffsets offsets = new SourceOffsets(Map.of(), 2);
    AirbyteStateMessage global =
        AirbyteJson.MAPPER.readValue(
            "{\"type\":\"GLOBAL\",\"global\":{\"shared_state\":{}}}", AirbyteStateMessage.class);
    assertThatThrownBy(() -> offsets.advance(global))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("tasks.max=1");
  }

  @Test
  void theRawFormatWritesTheJsonThatTheJsonFormatWritesAsBytesEventsIncluded() throws Exception {
    String record =
        "{\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"emitted_at\":1700000000000,"
            + "\"data\":{\"id\":7,\"name\":\"ü \\\"q\\\"\",\"score\":1.50,\"tags\":[\"a\",null],"
            + "\"address\":{\"city\":\"Oslo\"}}}}";
    SyncRun json = run(RecordFormat.JSON, new SourceOffsets(Map.of(), 1));
    SyncRun raw = run(RecordFormat.RAW, new SourceOffsets(Map.of(), 1));
    SourceRecord asJson = json.onMessage(message(record)).get(0);
    SourceRecord asRaw = raw.onMessage(message(record)).get(0);

    JsonConverter schemaless = new JsonConverter();
    schemaless.configure(Map.of("schemas.enable", "false"), false);
    byte[] jsonBytes = schemaless.fromConnectData("p.users", asJson.valueSchema(), asJson.value());
    assertThat(asRaw.value()).isInstanceOf(byte[].class);
    assertThat(AirbyteJson.MAPPER.readTree((byte[]) asRaw.value()))
        .isEqualTo(AirbyteJson.MAPPER.readTree(jsonBytes));
    // Key, partition, timestamp and headers do not depend on the value's format.
    assertThat(asRaw.key()).isEqualTo(asJson.key());
    assertThat(asRaw.kafkaPartition()).isEqualTo(asJson.kafkaPartition());
    assertThat(asRaw.timestamp()).isEqualTo(asJson.timestamp());

    String state =
        "{\"type\":\"STATE\",\"state\":{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":"
            + "{\"name\":\"users\"},\"stream_state\":{\"id\":7}}}}";
    SourceRecord checkpoint = raw.onMessage(message(state)).get(0);
    JsonNode event = AirbyteJson.MAPPER.readTree((byte[]) checkpoint.value());
    assertThat(event.path("type").asText()).isEqualTo("CHECKPOINT");
    assertThat(event.path("state").path("stream").path("stream_state").path("id").asLong())
        .isEqualTo(7);
    assertThat(raw.started().value()).isInstanceOf(byte[].class);
    assertThat(raw.completed(null))
        .allSatisfy(e -> assertThat(e.value()).isInstanceOf(byte[].class));
  }

  @Test
  void theRawFormatIsRefusedWithoutTheByteArrayConverterInTheConnectorsConfig() {
    Map<String, String> props = new java.util.HashMap<>();
    props.put("airbyte.connector.name", "source-faker");
    props.put(AirbyteSourceConfig.RECORD_FORMAT_CONFIG, "raw");
    assertThat(new AirbyteSourceConfig(props).recordFormatProblem(props))
        .contains(
            "record.format=raw needs value.converter=" + AirbyteSourceConfig.BYTE_ARRAY_CONVERTER)
        .contains("use record.format=json");
    props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    assertThat(new AirbyteSourceConfig(props).recordFormatProblem(props))
        .contains("found org.apache.kafka.connect.json.JsonConverter");
    props.put("value.converter", AirbyteSourceConfig.BYTE_ARRAY_CONVERTER);
    assertThat(new AirbyteSourceConfig(props).recordFormatProblem(props)).isNull();
  }

  @Test
  void theAvroFormatWritesSingleObjectValuesAfterTheirSchemaOnTheSchemasTopic() throws Exception {
    SyncRun run = run(RecordFormat.AVRO, new SourceOffsets(Map.of(), 1), new AvroValueWriter());
    String user =
        "{\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"emitted_at\":1700000000000,"
            + "\"data\":{\"id\":%d,\"name\":\"%s\"}}}";
    assertThat(run.started().value()).as("events are bytes too").isInstanceOf(byte[].class);

    List<SourceRecord> first = run.onMessage(message(user.formatted(1, "ü \\\"one\\\"")));
    List<SourceRecord> second = run.onMessage(message(user.formatted(2, "two")));
    List<SourceRecord> event =
        run.onMessage(
            message(
                "{\"type\":\"RECORD\",\"record\":{\"stream\":\"events\",\"namespace\":\"app\","
                    + "\"emitted_at\":1,\"data\":{\"at\":\"now\"}}}"));

    // The schema goes to <prefix>_schemas right before the first record that uses it, once.
    assertThat(first).extracting(SourceRecord::topic).containsExactly("p._schemas", "p.users");
    assertThat(second).extracting(SourceRecord::topic).containsExactly("p.users");
    assertThat(event).extracting(SourceRecord::topic).containsExactly("p._schemas", "p.app.events");
    SourceRecord schemaRecord = first.get(0);
    WriterSchema schema = WriterSchema.parse((byte[]) schemaRecord.value());
    assertThat(schemaRecord.key()).isEqualTo(schema.fingerprintHex());
    assertThat(schemaRecord.kafkaPartition()).isZero();
    assertThat(schema.stream().name()).isEqualTo("users");
    WriterSchema eventsSchema = WriterSchema.parse((byte[]) event.get(0).value());
    assertThat(eventsSchema.stream().namespace()).isEqualTo("app");
    // Committing a schema record moves no state.
    assertThat(schemaRecord.sourceOffset()).isEqualTo(first.get(1).sourceOffset());

    byte[] value = (byte[]) first.get(1).value();
    assertThat(value[0]).isEqualTo((byte) 0xC3);
    assertThat(value[1]).isEqualTo((byte) 0x01);
    Map<Long, WriterSchema> onTopic = new HashMap<>();
    for (WriterSchema written : List.of(schema, eventsSchema)) {
      onTopic.put(written.fingerprint(), written);
    }
    RecordValueDecoder decoder = new RecordValueDecoder(schemas(onTopic));
    assertThat(plain(decoder.decode(value)))
        .isEqualTo(plain(AirbyteJson.parse("{\"id\":1,\"name\":\"ü \\\"one\\\"\"}")));
    assertThat(plain(decoder.decode((byte[]) second.get(0).value())))
        .isEqualTo(plain(AirbyteJson.parse("{\"id\":2,\"name\":\"two\"}")));
    assertThat(plain(decoder.decode((byte[]) event.get(1).value())))
        .isEqualTo(plain(AirbyteJson.parse("{\"at\":\"now\"}")));
    // Key, partition and headers are the JSON format's.
    assertThat(first.get(1).key()).isEqualTo(Map.of("id", 1L));
    assertThat(first.get(1).headers().lastWithName("airbyte.stream").value()).isEqualTo("users");
    assertThat(run.counts().values().stream().mapToLong(Long::longValue).sum())
        .as("schema records are not counted as records")
        .isEqualTo(3);
  }

  @Test
  void aValueTheAvroTypeCannotHoldIsNulledAndRecordedInTheMetaHeader() throws Exception {
    SyncRun run = run(RecordFormat.AVRO, new SourceOffsets(Map.of(), 1), new AvroValueWriter());
    List<SourceRecord> out =
        run.onMessage(
            message(
                "{\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"emitted_at\":1,"
                    + "\"data\":{\"id\":\"not a number\",\"name\":\"n\"}}}"));

    SourceRecord record = out.get(1);
    WriterSchema schema = WriterSchema.parse((byte[]) out.get(0).value());
    JsonNode data =
        new RecordValueDecoder(schemas(Map.of(schema.fingerprint(), schema)))
            .decode((byte[]) record.value());
    assertThat(plain(data)).isEqualTo(plain(AirbyteJson.parse("{\"name\":\"n\"}")));
    JsonNode meta =
        AirbyteJson.parse(record.headers().lastWithName("airbyte.meta").value().toString());
    assertThat(meta.toString())
        .isEqualTo(
            "[{\"field\":\"id\",\"change\":\"NULLED\",\"reason\":\"DESTINATION_TYPECAST_ERROR\"}]");
  }

  @Test
  void everyRecordFormatReadsBackAsTheSameRecordJson() throws Exception {
    String record =
        "{\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"emitted_at\":1,"
            + "\"data\":{\"id\":7,\"name\":\"ü \\\"q\\\"\"}}}";
    JsonNode expected = plain(AirbyteJson.parse("{\"id\":7,\"name\":\"ü \\\"q\\\"\"}"));
    JsonConverter schemaless = new JsonConverter();
    schemaless.configure(Map.of("schemas.enable", "false"), false);
    JsonConverter envelopes = new JsonConverter();
    envelopes.configure(Map.of("schemas.enable", "true"), false);
    Map<Long, WriterSchema> onTopic = new HashMap<>();
    RecordValueDecoder decoder = new RecordValueDecoder(schemas(onTopic));

    for (RecordFormat format : RecordFormat.values()) {
      SyncRun run = run(format, new SourceOffsets(Map.of(), 1), new AvroValueWriter());
      List<SourceRecord> out = run.onMessage(message(record));
      SourceRecord value = out.get(out.size() - 1);
      if (out.size() == 2) {
        WriterSchema schema = WriterSchema.parse((byte[]) out.get(0).value());
        onTopic.put(schema.fingerprint(), schema);
      }
      byte[] bytes =
          switch (format) {
            case RAW, AVRO -> (byte[]) value.value();
            case JSON -> schemaless.fromConnectData("p.users", value.valueSchema(), value.value());
            case STRUCT -> envelopes.fromConnectData("p.users", value.valueSchema(), value.value());
          };
      assertThat(plain(decoder.decode(bytes))).as(format.name()).isEqualTo(expected);
    }
    assertThat(onTopic).as("one Avro writer schema").hasSize(1);
  }

  private static RecordValueDecoder.WriterSchemas schemas(Map<Long, WriterSchema> onTopic) {
    return new RecordValueDecoder.WriterSchemas() {
      @Override
      public WriterSchema find(long fingerprint) {
        return onTopic.get(fingerprint);
      }

      @Override
      public void catchUp() {}

      @Override
      public String describe() {
        return "schemas topic p._schemas";
      }
    };
  }
}
