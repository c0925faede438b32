package io.akb.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.connect.ConnectTestCluster;
import io.akb.runtime.destination.TestDestinations;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.schema.AvroValueWriter;
import io.akb.runtime.schema.WriterSchema;
import io.akb.runtime.topic.RecordHeaders;
import io.akb.runtime.topic.RecordValueDecoder;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink reads {@code record.format=avro} topics (Avro single-object values, writer schemas on
 * {@code <prefix>_schemas}) in a real Connect cluster: the same records on a JSON topic and on an
 * Avro topic reach the destination as the same rows, through a schema change between two batches,
 * with the schemas topic among the consumed topics ({@code topics.regex}) and derived from {@code
 * state.topic}. A value of a schema the topic lacks fails the task naming the fingerprint.
 */
class AvroSinkIT {
  static final String JSON_PREFIX = "avrosink.json.";
  static final String AVRO_PREFIX = "avrosink.avro.";
  static final String UNKNOWN_PREFIX = "avrosink.unknown.";
  static final StreamDescriptor USERS = new StreamDescriptor("users", null);
  static final Duration WAIT = Duration.ofMinutes(2);

  static final String V1 =
      """
      {"type":"object","properties":{
        "id":{"type":"integer"},
        "first name":{"type":"string"},
        "born":{"type":"string","format":"date"},
        "seen":{"type":"string","format":"date-time"},
        "score":{"type":"number"},
        "address":{"type":"object","properties":{"city":{"type":"string"}}},
        "tags":{"type":"array","items":{"type":"string"}},
        "anything":{}}}""";

  /** V1 with a field added: a compatible change, a second writer schema. */
  static final String V2 =
      V1.replace("\"anything\":{}", "\"anything\":{},\"note\":{\"type\":\"string\"}");

  static ConnectTestCluster cluster;
  @TempDir static Path out;

  @BeforeAll
  static void startCluster() {
    cluster = ConnectTestCluster.start("akb-avro-sink-it", false);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static Map<String, String> sinkConfig(String prefix, Path directory) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", ConnectTestCluster.SINK_CONNECTOR_CLASS);
    config.put("tasks.max", "1");
    config.put("topics.regex", prefix.replace(".", "\\.") + ".*");
    config.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    // Avro values and the JSON ones alike: the sink reads the bytes in every contract form.
    config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    config.put("airbyte.connector.name", TestDestinations.JSON_LINES);
    config.put("airbyte.pip.url", TestDestinations.jsonLinesPackage().toString());
    config.put("airbyte.config", "{\"directory\":\"" + directory + "\"}");
    config.put("state.topic", TopicNames.stateTopic(prefix));
    config.put("bootstrap.servers", cluster.bootstrapServers());
    config.put("topic.prefix", prefix);
    config.put("commit.echo.wait.ms", "2000");
    return config;
  }

  @Test
  void avroRecordsReachTheDestinationAsTheSameRowsAsJsonOnes() throws Exception {
    Path jsonOut = Files.createDirectories(out.resolve("json"));
    Path avroOut = Files.createDirectories(out.resolve("avro"));
    AvroValueWriter avro = new AvroValueWriter();
    try (KafkaProducer<byte[], byte[]> producer =
        cluster.connect.kafka().createProducer(Map.of())) {
      for (String prefix : List.of(JSON_PREFIX, AVRO_PREFIX)) {
        cluster.connect.kafka().createTopic(prefix + "users", 2);
        cluster.connect.kafka().createTopic(TopicNames.stateTopic(prefix), 1);
        send(producer, TopicNames.stateTopic(prefix), syncStarted(V1));
      }
      cluster.connect.kafka().createTopic(TopicNames.schemasTopic(AVRO_PREFIX), 1);
      WriterSchema v1 = avro.schemaOf(USERS, json(V1));
      produceBatch(producer, avro, v1, 1, 20, null);

      cluster.connect.configureConnector("json-sink", sinkConfig(JSON_PREFIX, jsonOut));
      cluster.connect.configureConnector("avro-sink", sinkConfig(AVRO_PREFIX, avroOut));
      await("the first batch in both destinations", jsonOut, avroOut, 20);

      // A compatible change while the sink runs: a new fingerprint it has not read yet.
      WriterSchema v2 = avro.schemaOf(USERS, json(V2));
      assertThat(v2.fingerprint()).isNotEqualTo(v1.fingerprint());
      produceBatch(producer, avro, v2, 21, 40, "v2");
      await("the second batch in both destinations", jsonOut, avroOut, 40);
    }

    List<JsonNode> fromJson = rows(jsonOut);
    List<JsonNode> fromAvro = rows(avroOut);
    assertThat(fromJson).hasSize(40);
    assertThat(fromAvro).hasSize(40);
    for (int i = 0; i < fromJson.size(); i++) {
      assertThat(fromAvro.get(i)).as("row " + i).isEqualTo(fromJson.get(i));
    }
    JsonNode third = fromAvro.get(2);
    assertThat(third.get("first name").asText()).isEqualTo("user 3");
    assertThat(third.get("born").asText()).isEqualTo("2000-01-04");
    assertThat(third.get("seen").asText()).isEqualTo("2024-01-02T03:04:05Z");
    // Untypeable values travel as JSON text in Avro and arrive as the JSON they were.
    assertThat(third.at("/anything/n").toString()).isEqualTo("[3,1.5]");
    assertThat(fromAvro.get(30).get("note").asText()).isEqualTo("v2");
    assertThat(fromAvro.get(2).has("note")).isFalse();
    assertThat(cluster.connect.connectorStatus("avro-sink").tasks().get(0).state())
        .isEqualTo("RUNNING");
  }

  @Test
  void anAvroValueOfASchemaTheTopicLacksFailsTheTaskNamingTheFingerprint() throws Exception {
    Path unknownOut = Files.createDirectories(out.resolve("unknown"));
    byte[] value = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 2};
    try (KafkaProducer<byte[], byte[]> producer =
        cluster.connect.kafka().createProducer(Map.of())) {
      cluster.connect.kafka().createTopic(UNKNOWN_PREFIX + "users", 1);
      cluster.connect.kafka().createTopic(TopicNames.stateTopic(UNKNOWN_PREFIX), 1);
      send(producer, TopicNames.stateTopic(UNKNOWN_PREFIX), syncStarted(V1));
      producer
          .send(
              new ProducerRecord<>(
                  UNKNOWN_PREFIX + "users", 0, null, (byte[]) null, value, headers()))
          .get();
    }
    cluster.connect.configureConnector(
        "unknown-sink", withTolerance(sinkConfig(UNKNOWN_PREFIX, unknownOut)));

    cluster.await(
        "the task fails",
        () -> taskState("unknown-sink").equals("FAILED"),
        WAIT,
        () -> "task " + taskState("unknown-sink"));
    String trace = cluster.connect.connectorStatus("unknown-sink").tasks().get(0).trace();
    assertThat(trace)
        .contains("Record " + UNKNOWN_PREFIX + "users/0@0 cannot be read")
        .contains("no schema with fingerprint 0807060504030201")
        .contains(TopicNames.schemasTopic(UNKNOWN_PREFIX));
    cluster.connect.deleteConnector("unknown-sink");
  }

  /** Even with errors.tolerance=all: a record of an unknown schema is never dead-lettered. */
  static Map<String, String> withTolerance(Map<String, String> config) {
    config.put("errors.tolerance", "all");
    return config;
  }

  static String taskState(String connector) {
    try {
      var tasks = cluster.connect.connectorStatus(connector).tasks();
      return tasks.isEmpty() ? "none" : tasks.get(0).state();
    } catch (RuntimeException e) {
      return "unknown";
    }
  }

  /**
   * Records {@code [from, to]} on both topics: raw JSON on one, Avro of {@code schema} on the
   * other.
   */
  static void produceBatch(
      KafkaProducer<byte[], byte[]> producer,
      AvroValueWriter avro,
      WriterSchema schema,
      int from,
      int to,
      String note)
      throws Exception {
    if (avro.needsWriting(schema)) {
      producer
          .send(
              new ProducerRecord<>(
                  TopicNames.schemasTopic(AVRO_PREFIX),
                  bytes(schema.fingerprintHex()),
                  schema.toJsonBytes()))
          .get();
    }
    for (int id = from; id <= to; id++) {
      JsonNode data = user(id, note);
      byte[] key = bytes("{\"id\":" + id + "}");
      int partition = id % 2;
      byte[] encoded = avro.encode(schema, data).value();
      assertThat(RecordValueDecoder.isAvro(encoded)).isTrue();
      producer.send(
          new ProducerRecord<>(
              JSON_PREFIX + "users", partition, key, AirbyteJson.toJsonBytes(data), headers()));
      producer.send(
          new ProducerRecord<>(AVRO_PREFIX + "users", partition, key, encoded, headers()));
    }
    producer.flush();
  }

  static JsonNode user(int id, String note) {
    String json =
        """
        {"id":%d,"first name":"user %d","born":"2000-01-%02d","seen":"2024-01-02T03:04:05Z",
         "score":%d.25,"address":{"city":"Oslo"},"tags":["a","t%d"],"anything":{"n":[%d,1.50]}%s}"""
            .formatted(
                id, id, id % 28 + 1, id, id, id, note == null ? "" : ",\"note\":\"" + note + "\"");
    return json(json);
  }

  static List<Header> headers() {
    return List.of(
        new RecordHeader(RecordHeaders.STREAM, bytes("users")),
        new RecordHeader(RecordHeaders.SYNC_ID, bytes("sync-1")));
  }

  static StateEvent syncStarted(String jsonSchema) throws Exception {
    ConfiguredAirbyteCatalog catalog =
        AirbyteJson.MAPPER.readValue(
            """
            {"streams":[{"stream":{"name":"users","json_schema":%s,
              "supported_sync_modes":["full_refresh"]},"sync_mode":"full_refresh",
              "destination_sync_mode":"append","primary_key":[["id"]]}]}"""
                .formatted(jsonSchema),
            ConfiguredAirbyteCatalog.class);
    return StateEvent.syncStarted(
        "sync-1", "source-0", "source-typed", catalog, System.currentTimeMillis());
  }

  static void send(KafkaProducer<byte[], byte[]> producer, String topic, Object value)
      throws Exception {
    producer
        .send(new ProducerRecord<>(topic, bytes("source-0"), AirbyteJson.toJsonBytes(value)))
        .get();
  }

  /** The destination's records of {@code users}, by id, each record's data as plain JSON. */
  static List<JsonNode> rows(Path directory) {
    Path file = directory.resolve("users.jsonl");
    List<JsonNode> rows = new ArrayList<>();
    try {
      if (!Files.exists(file)) {
        return rows;
      }
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank() && line.endsWith("}")) {
          rows.add(ConnectTestCluster.plain(AirbyteJson.parse(line).get("data")));
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    rows.sort(Comparator.comparingLong(row -> row.get("id").asLong()));
    return rows;
  }

  static void await(String what, Path jsonOut, Path avroOut, int count)
      throws InterruptedException {
    cluster.await(
        what,
        () -> rows(jsonOut).size() >= count && rows(avroOut).size() >= count,
        WAIT,
        () -> "json has " + rows(jsonOut).size() + ", avro has " + rows(avroOut).size());
  }

  static JsonNode json(String text) {
    try {
      return AirbyteJson.parse(text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
