package io.akb.bridge.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.bridge.local.StandaloneConnectWorker;
import io.akb.bridge.testing.ContractProducer;
import io.akb.bridge.testing.EmbeddedKafka;
import io.akb.bridge.testing.RunningTarget;
import io.akb.bridge.testing.TestDatabases;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import io.akb.runtime.schema.WriterSchema;
import io.akb.runtime.topic.RecordValueDecoder;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three value forms through the real source connector (in a standalone Connect worker) and the
 * bridge into DuckDB and PostgreSQL: {@code record.format=avro} (single-object encoding, the
 * schemas topic), schemaless JSON and JSON-with-schemas envelopes give the same rows; Avro schema
 * evolution across syncs; an unknown fingerprint's error.
 */
class TypedValuesIT {
  private static final String CONNECTOR_CLASS = "io.akb.connect.source.AirbyteSourceConnector";
  private static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";

  @TempDir Path dir;
  private Path program;
  private StandaloneConnectWorker worker;
  private final List<String> databases = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    program = dir.resolve("typed_source.py");
    try (var in = TypedValuesIT.class.getResourceAsStream("/typed_source.py")) {
      Files.write(program, in.readAllBytes());
    }
    Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
    worker =
        StandaloneConnectWorker.start(EmbeddedKafka.bootstrapServers(), dir.resolve("offsets"));
  }

  @AfterEach
  void tearDown() {
    worker.close();
    databases.forEach(TestDatabases::drop);
  }

  @Test
  void avroJsonAndEnvelopesLandAsTheSameRowsInDuckDbAndPostgres() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String json = "airbyte.typed-json-" + id + ".";
    String avro = "airbyte.typed-avro-" + id + ".";
    String envelopes = "airbyte.typed-env-" + id + ".";
    runSync("json-" + id, json, "raw", 1, 30, 1);
    runSync("avro-" + id, avro, "avro", 1, 30, 1);
    writeEnvelopes(envelopes, 1, 30);

    // On the wire: single-object values, and one writer schema on the compacted schemas topic.
    List<ConsumerRecord<byte[], byte[]>> values =
        EmbeddedKafka.readAll(TopicNames.recordTopic(avro, null, "items"));
    assertThat(values).hasSize(30);
    assertThat(values).allMatch(r -> RecordValueDecoder.isAvro(r.value()));
    List<ConsumerRecord<byte[], byte[]>> schemas =
        EmbeddedKafka.readAll(TopicNames.schemasTopic(avro));
    assertThat(schemas).hasSize(1);
    WriterSchema schema = WriterSchema.parse(schemas.get(0).value());
    assertThat(new String(schemas.get(0).key(), StandardCharsets.UTF_8))
        .contains(schema.fingerprintHex());
    assertThat(schema.stream().name()).isEqualTo("items");

    for (String kind : List.of("duckdb", "postgres")) {
      List<JsonNode> fromJson = rows(kind, "json-" + id, json);
      List<JsonNode> fromAvro = rows(kind, "avro-" + id, avro);
      List<JsonNode> fromEnvelopes = rows(kind, "env-" + id, envelopes);
      assertThat(fromJson).as(kind).hasSize(30);
      assertThat(fromJson.get(1).get("address").toString()).contains("zip code");
      for (int i = 0; i < fromJson.size(); i++) {
        assertThat(fromAvro.get(i)).as(kind + " avro row " + i).isEqualTo(fromJson.get(i));
        assertThat(fromEnvelopes.get(i)).as(kind + " envelope row " + i).isEqualTo(fromJson.get(i));
      }
    }
  }

  @Test
  void avroStreamEvolvesAcrossSyncsAndAnIncompatibleChangeFailsNamingIt() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String prefix = "airbyte.typed-evo-" + id + ".";
    String name = "evo-" + id;
    String duckUrl = "duckdb:" + dir.resolve("evo.duckdb");
    String pgUrl = "postgres:" + database("evo");
    try (RunningTarget duck =
            RunningTarget.start(
                "evo-duck-" + id, duckUrl, prefix, WriteStrategy.AUTO, Map.of(), 100);
        RunningTarget pg =
            RunningTarget.start("evo-pg-" + id, pgUrl, prefix, WriteStrategy.AUTO, Map.of(), 100)) {
      for (int version = 1; version <= 3; version++) {
        runSync(name, prefix, "avro", version, 10, version);
        assertThat(EmbeddedKafka.readAll(TopicNames.schemasTopic(prefix)))
            .as("schema versions")
            .hasSize(version);
        for (RunningTarget target : List.of(duck, pg)) {
          awaitRows(target, version);
          JsonNode row = row(target, 3);
          String where = target.replicator().settings().name() + " after v" + version;
          if (version == 1) {
            assertThat(row.get("price").asText()).as(where).isEqualTo("103");
            assertThat(row.has("note") && !row.get("note").isNull()).as(where).isFalse();
          } else {
            assertThat(row.get("price").asDouble()).as(where).isEqualTo(103.5);
            assertThat(row.get("note").asText()).as(where).isEqualTo("v" + version);
          }
          assertThat(target.count("items")).as(where).isEqualTo(10);
        }
      }
      // Version 4 turns "name" from string into integer: Avro cannot read the old records with it.
      worker.startConnector(name, config(name, prefix, "avro", 4, 10));
      RunningTarget.await(
          "the task fails", Duration.ofSeconds(120), () -> worker.failure(name).isPresent());
      assertThat(worker.failure(name).orElseThrow())
          .contains("stream items")
          .contains("cannot read records of the previous one")
          .contains("in field 'name'")
          .contains("topic.prefix");
      assertThat(EmbeddedKafka.readAll(TopicNames.schemasTopic(prefix))).hasSize(3);
    }
  }

  @Test
  void anUnknownFingerprintFailsTheTargetNamingItAndTheSchemasTopic() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String prefix = "airbyte.typed-unknown-" + id + ".";
    try (ContractProducer topics = new ContractProducer(prefix, "source-typed")) {
      topics.createTopics(Map.of("items", 1));
      topics.startSync(List.of(itemsStream(1)));
      byte[] value = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 2};
      topics.recordBytes("items", value);
      topics.flush();
    }
    try (RunningTarget duck =
        RunningTarget.start(
            "unknown-" + id,
            "duckdb:" + dir.resolve("unknown.duckdb"),
            prefix,
            WriteStrategy.AUTO,
            Map.of(),
            100)) {
      RunningTarget.await(
          "the target reports the unknown schema",
          Duration.ofSeconds(90),
          () ->
              String.valueOf(duck.replicator().status().lastError()).contains("0807060504030201"));
      assertThat(duck.replicator().status().lastError())
          .contains("no schema with fingerprint 0807060504030201")
          .contains(TopicNames.schemasTopic(prefix));
    }
  }

  // ---- helpers

  private Map<String, String> config(
      String name, String prefix, String format, int version, int count) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("name", name);
    config.put("connector.class", CONNECTOR_CLASS);
    config.put("tasks.max", "1");
    config.put("record.format", format);
    config.put("value.converter", BYTES);
    config.put("airbyte.connector.name", "source-typed");
    config.put("airbyte.executor", "local");
    config.put("airbyte.local.executable", program.toString());
    config.put("airbyte.config", "{\"version\":" + version + ",\"count\":" + count + "}");
    config.put("topic.prefix", prefix);
    config.put("bootstrap.servers", EmbeddedKafka.bootstrapServers());
    config.put("sync.interval.ms", "86400000");
    return config;
  }

  /** Runs the connector (again, with this version) until its {@code syncs}-th sync completes. */
  private void runSync(String name, String prefix, String format, int version, int count, int syncs)
      throws Exception {
    worker.startConnector(name, config(name, prefix, format, version, count));
    String stateTopic = TopicNames.stateTopic(prefix);
    RunningTarget.await(
        "sync " + syncs + " of " + name + " completed",
        Duration.ofSeconds(180),
        () -> {
          assertThat(worker.failure(name)).as("connector " + name).isEmpty();
          return EmbeddedKafka.topicExists(stateTopic) && completedSyncs(stateTopic) >= syncs;
        });
  }

  private static long completedSyncs(String stateTopic) {
    return EmbeddedKafka.readAll(stateTopic).stream()
        .map(r -> TopicCatalogEvent.parse(r.value()))
        .filter(e -> e != null && e.type() == StateEvent.Type.SYNC_COMPLETED)
        .peek(e -> assertThat(e.status()).isEqualTo(StateEvent.SYNC_SUCCEEDED))
        .count();
  }

  /** The program's own records, written as JsonConverter with schemas.enable=true writes them. */
  private void writeEnvelopes(String prefix, int version, int count) throws Exception {
    Path config = dir.resolve("envelope-config.json");
    Files.writeString(config, "{\"version\":" + version + ",\"count\":" + count + "}");
    ConfiguredAirbyteStream stream = itemsStream(version);
    Class<?> converter = Class.forName("io.akb.connect.schema.JsonSchemaConverter");
    Schema schema =
        (Schema)
            converter
                .getMethod("toConnectSchema", String.class, JsonNode.class)
                .invoke(null, "items", stream.stream().jsonSchema());
    var toValue = converter.getMethod("toConnectValue", Schema.class, JsonNode.class);
    JsonConverter envelopes = new JsonConverter();
    envelopes.configure(Map.of("schemas.enable", "true", "converter.type", "value"));
    Process read =
        new ProcessBuilder(program.toString(), "read", "--config", config.toString()).start();
    List<String> lines =
        new String(read.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    assertThat(read.waitFor()).isZero();
    try (ContractProducer topics = new ContractProducer(prefix, "source-typed")) {
      topics.createTopics(Map.of("items", 1));
      topics.startSync(List.of(stream));
      for (String line : lines) {
        AirbyteMessage message = AirbyteJson.MAPPER.readValue(line, AirbyteMessage.class);
        if (message.type() == AirbyteMessage.Type.RECORD) {
          JsonNode data = message.record().data();
          byte[] value =
              envelopes.fromConnectData("items", schema, toValue.invoke(null, schema, data));
          ObjectNode key = AirbyteJson.MAPPER.createObjectNode().set("id", data.get("id"));
          topics.record("items", key, AirbyteJson.MAPPER.readTree(value));
        } else if (message.type() == AirbyteMessage.Type.STATE) {
          topics.checkpoint(message.state(), topics.counts());
        }
      }
      topics.completeSync(true);
      topics.flush();
    }
  }

  /** The items stream of the program's catalog in this version. */
  private ConfiguredAirbyteStream itemsStream(int version) throws Exception {
    Path config = dir.resolve("catalog-config.json");
    Files.writeString(config, "{\"version\":" + version + "}");
    Process discover =
        new ProcessBuilder(program.toString(), "discover", "--config", config.toString()).start();
    JsonNode catalog = AirbyteJson.MAPPER.readTree(discover.getInputStream().readAllBytes());
    discover.waitFor();
    JsonNode schema = catalog.at("/catalog/streams/0/json_schema");
    return ContractProducer.stream(
        "items",
        schema,
        List.of("id"),
        SyncMode.FULL_REFRESH,
        List.of(),
        DestinationSyncMode.APPEND_DEDUP);
  }

  /** A stream's rows in a fresh target of {@code kind}, by id, without the Kafka-derived id. */
  private List<JsonNode> rows(String kind, String name, String prefix) {
    String cache =
        kind.equals("duckdb")
            ? "duckdb:" + dir.resolve(name + ".duckdb")
            : "postgres:" + database(name.replace('-', '_'));
    try (RunningTarget target =
        RunningTarget.start(kind + "-" + name, cache, prefix, WriteStrategy.AUTO, Map.of(), 100)) {
      target.awaitCaughtUp();
      return target.query(
          sql -> {
            try (var rows = sql.rows("items")) {
              return rows.map(
                      row -> {
                        ObjectNode copy = ((ObjectNode) row).deepCopy();
                        copy.remove("_airbyte_raw_id");
                        copy.remove("_airbyte_extracted_at");
                        // Each path is its own sync: only the sync id differs in the meta.
                        if (copy.get("_airbyte_meta") instanceof ObjectNode meta) {
                          meta.remove("sync_id");
                        }
                        return (JsonNode) copy;
                      })
                  .sorted(Comparator.comparingLong(row -> row.get("id").asLong()))
                  .toList();
            }
          });
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitRows(RunningTarget target, int version) {
    RunningTarget.await(
        target.replicator().settings().name() + " holds version " + version,
        Duration.ofSeconds(90),
        () -> {
          try {
            JsonNode row = row(target, 3);
            return row != null
                && (version == 1
                    ? row.has("price")
                    : "v%d".formatted(version).equals(row.path("note").asText()));
          } catch (RuntimeException e) {
            return false;
          }
        });
  }

  private static JsonNode row(RunningTarget target, long id) {
    return target.query(
        sql -> {
          if (!sql.streams().contains("items")) {
            return null;
          }
          try (var rows = sql.rows("items")) {
            return rows.filter(r -> r.get("id").asLong() == id).findFirst().orElse(null);
          }
        });
  }

  private String database(String purpose) {
    String url = TestDatabases.create(purpose);
    databases.add(url);
    return url;
  }

  /** A state topic value as an event; null for anything else. */
  private static final class TopicCatalogEvent {
    static StateEvent parse(byte[] value) {
      try {
        return AirbyteJson.MAPPER.readValue(value, StateEvent.class);
      } catch (IOException e) {
        return null;
      }
    }
  }
}
