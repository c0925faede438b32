package io.akb.bridge.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.bridge.local.StandaloneConnectWorker;
import io.akb.bridge.testing.EmbeddedKafka;
import io.akb.bridge.testing.RunningTarget;
import io.akb.bridge.testing.TestDatabases;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.testkit.ApicurioRegistry;
import io.akb.runtime.topic.RecordValueDecoder;
import io.akb.runtime.topic.RegistrySchemas;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicNames;
import io.apicurio.registry.utils.converter.AvroConverter;
import java.io.IOException;
import java.nio.ByteBuffer;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry-framed values (#12): the real source connector (in a standalone Connect worker) with
 * {@code record.format=struct} and Apicurio Registry 2.4.2's Kafka Connect {@code AvroConverter} as
 * key and value converter, against a real registry (the test-registry module's build) on 127.0.0.1.
 * Record and state values are byte 0, the writer schema's 8-byte global id and the Avro datum; a
 * bridge target with {@code schema-registry-url} reads them into the same rows, in DuckDB and
 * PostgreSQL, as the same source through the JSON path; one without fails naming the setting.
 */
class RegistryValuesIT {
  private static final String CONNECTOR_CLASS = "io.akb.connect.source.AirbyteSourceConnector";
  private static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";
  private static final int COUNT = 30;

  @TempDir static Path shared;
  private static ApicurioRegistry registry;

  @TempDir Path dir;
  private Path program;
  private StandaloneConnectWorker worker;
  private final List<String> databases = new ArrayList<>();

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = ApicurioRegistry.start(shared);
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    program = dir.resolve("typed_source.py");
    try (var in = RegistryValuesIT.class.getResourceAsStream("/typed_source.py")) {
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
  void registryFramedAvroLandsAsTheRowsOfTheJsonPathInDuckDbAndPostgres() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String json = "airbyte.reg-json-" + id + ".";
    String framed = "airbyte.reg-avro-" + id + ".";
    runSync("json-" + id, json, false);
    runSync("avro-" + id, framed, true);

    // On the wire: byte 0 and the global id of the one value schema the converter registered.
    String topic = TopicNames.recordTopic(framed, null, "items");
    long valueId = registry.globalId(topic + "-value", "1");
    List<ConsumerRecord<byte[], byte[]>> values = EmbeddedKafka.readAll(topic);
    assertThat(values).hasSize(COUNT);
    for (ConsumerRecord<byte[], byte[]> record : values) {
      assertThat(RecordValueDecoder.isRegistryFramed(record.value())).isTrue();
      ByteBuffer value = ByteBuffer.wrap(record.value());
      assertThat(value.get()).isZero();
      assertThat(value.getLong()).isEqualTo(valueId);
    }
    assertThat(EmbeddedKafka.readAll(TopicNames.stateTopic(framed)))
        .allMatch(r -> RecordValueDecoder.isRegistryFramed(r.value()));

    for (String kind : List.of("duckdb", "postgres")) {
      List<JsonNode> fromJson = rows(kind, "json-" + id, json, null);
      List<JsonNode> fromRegistry = rows(kind, "avro-" + id, framed, registry.apiUrl());
      assertThat(fromJson).as(kind).hasSize(COUNT);
      assertThat(fromRegistry).as(kind).hasSize(COUNT);
      assertThat(fromJson.get(1).get("address").toString()).contains("zip code");
      for (int i = 0; i < fromJson.size(); i++) {
        assertThat(fromRegistry.get(i)).as(kind + " registry row " + i).isEqualTo(fromJson.get(i));
      }
    }

    // Without the setting, the framed values fail the target, which says what to set.
    try (RunningTarget unset =
        RunningTarget.start(
            "reg-unset-" + id,
            "duckdb:" + dir.resolve("unset.duckdb"),
            framed,
            WriteStrategy.AUTO,
            Map.of(),
            100)) {
      RunningTarget.await(
          "the target reports the missing registry",
          Duration.ofSeconds(90),
          () -> String.valueOf(unset.replicator().status().lastError()).contains("global id"));
      assertThat(unset.replicator().status().lastError())
          .contains("akb.targets.reg-unset-" + id + ".schema-registry-url")
          .contains("no schema registry is configured");
    }
  }

  @Test
  void theRealRegistryGivesASchemaByGlobalIdAndAnIdItLacksFailsNamingItAndTheRegistry()
      throws Exception {
    String artifact = "decoder-" + UUID.randomUUID().toString().substring(0, 8);
    String avro =
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":["
            + "{\"name\":\"id\",\"type\":[\"null\",\"long\"],\"default\":null},"
            + "{\"name\":\"doc\",\"type\":[\"null\",{\"type\":\"string\","
            + "\"connect.parameters\":{\"airbyte.json\":\"no_type\"}}],\"default\":null}]}";
    java.net.http.HttpResponse<String> created =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(registry.apiUrl() + "/groups/default/artifacts"))
                    .header("Content-Type", "application/json")
                    .header("X-Registry-ArtifactId", artifact)
                    .header("X-Registry-ArtifactType", "AVRO")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(avro))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    long globalId = registry.globalId(artifact, "1");
    org.apache.avro.Schema schema = new org.apache.avro.Schema.Parser().parse(avro);
    org.apache.avro.generic.GenericData.Record record =
        new org.apache.avro.generic.GenericData.Record(schema);
    record.put("id", 5L);
    record.put("doc", "{\"a\":[1,\"b\"]}");
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(8).putLong(globalId).array());
    var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    new org.apache.avro.generic.GenericDatumWriter<>(schema).write(record, encoder);
    encoder.flush();

    RecordValueDecoder decoder =
        new RecordValueDecoder(null, new RegistrySchemas(registry.apiUrl(), "akb.targets.t.url"));
    assertThat(decoder.decode(out.toByteArray()).toString())
        .isEqualTo("{\"id\":5,\"doc\":{\"a\":[1,\"b\"]}}");

    byte[] unknown = {0, 0, 0, 0, 0, 0, 0x0F, 0x42, 0x3F, 2};
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> decoder.decode(unknown))
        .isInstanceOf(io.akb.runtime.AkbException.class)
        .hasMessageContaining("global id 999999")
        .hasMessageContaining(registry.apiUrl())
        .hasMessageContaining("404")
        .hasMessageContaining("akb.targets.t.url");
  }

  // ---- helpers

  private Map<String, String> config(String name, String prefix, boolean viaRegistry) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("name", name);
    config.put("connector.class", CONNECTOR_CLASS);
    config.put("tasks.max", "1");
    config.put("airbyte.connector.name", "source-typed");
    config.put("airbyte.executor", "local");
    config.put("airbyte.local.executable", program.toString());
    config.put("airbyte.config", "{\"version\":1,\"count\":" + COUNT + "}");
    config.put("topic.prefix", prefix);
    config.put("bootstrap.servers", EmbeddedKafka.bootstrapServers());
    config.put("sync.interval.ms", "86400000");
    if (viaRegistry) {
      config.put("record.format", "struct");
      for (String side : List.of("key", "value")) {
        config.put(side + ".converter", AvroConverter.class.getName());
        config.put(side + ".converter.apicurio.registry.url", registry.apiUrl());
        config.put(side + ".converter.apicurio.registry.auto-register", "true");
      }
    } else {
      config.put("record.format", "raw");
      config.put("value.converter", BYTES);
    }
    return config;
  }

  /** Runs the connector until its first sync completes (its state events read as the bridge). */
  private void runSync(String name, String prefix, boolean viaRegistry) throws Exception {
    worker.startConnector(name, config(name, prefix, viaRegistry));
    String stateTopic = TopicNames.stateTopic(prefix);
    RecordValueDecoder events =
        new RecordValueDecoder(
            null, new RegistrySchemas(registry.apiUrl(), "the test's registry URL"));
    try {
      RunningTarget.await(
          "the sync of " + name + " completed",
          Duration.ofSeconds(120),
          () -> {
            assertThat(worker.failure(name)).as("connector " + name).isEmpty();
            return EmbeddedKafka.topicExists(stateTopic)
                && EmbeddedKafka.readAll(stateTopic).stream()
                    .map(r -> events.decodeEvent(r.value()))
                    .anyMatch(
                        e ->
                            e != null
                                && e.type() == StateEvent.Type.SYNC_COMPLETED
                                && StateEvent.SYNC_SUCCEEDED.equals(e.status()));
          });
    } catch (AssertionError e) {
      StringBuilder seen = new StringBuilder();
      for (ConsumerRecord<byte[], byte[]> record : EmbeddedKafka.readAll(stateTopic)) {
        byte[] value = record.value();
        seen.append("\n")
            .append(java.util.HexFormat.of().formatHex(value, 0, Math.min(16, value.length)))
            .append(" ");
        try {
          seen.append(events.decode(value));
        } catch (Exception failure) {
          seen.append(failure);
        }
      }
      throw new AssertionError(e.getMessage() + "; the state topic holds:" + seen, e);
    }
  }

  /** A stream's rows in a fresh target of {@code kind}, by id, without the Kafka-derived id. */
  private List<JsonNode> rows(String kind, String name, String prefix, String registryUrl) {
    String cache =
        kind.equals("duckdb")
            ? "duckdb:" + dir.resolve(name + ".duckdb")
            : "postgres:" + database(name.replace('-', '_'));
    try (RunningTarget target =
        RunningTarget.start(
            kind + "-" + name,
            cache,
            prefix,
            WriteStrategy.AUTO,
            Map.of(),
            100,
            null,
            registryUrl)) {
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

  private String database(String purpose) {
    String url = TestDatabases.create(purpose);
    databases.add(url);
    return url;
  }
}
