package io.akb.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.connect.ConnectTestCluster;
import io.akb.runtime.testkit.ApicurioRegistry;
import io.apicurio.registry.utils.converter.AvroConverter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schemas on the wire: the source connector with {@code record.format=struct} and Apicurio's Kafka
 * Connect Avro converter as key and value converter, against a real Apicurio Registry (the
 * test-registry module's build, in-memory storage) on 127.0.0.1. The converter registers each
 * stream's key and value schemas; the records carry the schema's global id after a magic byte 0 and
 * decode back, through the registry, to the records the source read.
 */
class SchemaRegistryIT {
  private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(4);
  private static final String CONVERTER = AvroConverter.class.getName();

  private static ConnectTestCluster cluster;
  private static ApicurioRegistry registry;

  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    registry = ApicurioRegistry.start(tmp);
    cluster = ConnectTestCluster.start("akb-registry-it", false);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  private Map<String, String> registryConfig(String prefix, int count) {
    Map<String, String> config =
        cluster.countingSourceConfig(
            ConnectTestCluster.countingSource(tmp), prefix, "{\"count\": " + count + "}");
    config.put("sync.interval.ms", "3600000");
    config.put("record.format", "struct");
    for (String side : List.of("key", "value")) {
      config.put(side + ".converter", CONVERTER);
      config.put(side + ".converter.apicurio.registry.url", registry.apiUrl());
      config.put(side + ".converter.apicurio.registry.auto-register", "true");
    }
    return config;
  }

  @Test
  void structRecordsGoThroughTheRegistryAndDecodeBackToTheSourceRecords() throws Exception {
    String prefix = "registry.";
    String topic = prefix + "numbers";
    int n = 25;
    cluster.connect.configureConnector("registry", registryConfig(prefix, n));
    // The state topic goes through the connector's value converter as well: its events are Avro
    // too, so the records topic is what is waited on.
    cluster.await(
        n + " records in " + topic,
        () -> cluster.readAll(topic, false).size() >= n,
        SYNC_TIMEOUT,
        cluster::statusText);

    // The converter registered the stream's key and value schemas, once each.
    assertThat(registry.artifactIds()).contains(topic + "-key", topic + "-value");
    assertThat(registry.versions(topic + "-value")).containsExactly("1");
    assertThat(registry.versions(topic + "-key")).containsExactly("1");
    JsonNode valueSchema = registry.content(topic + "-value", "1");
    assertThat(valueSchema.path("type").asText()).isEqualTo("record");
    List<String> fields = new ArrayList<>();
    valueSchema.path("fields").forEach(field -> fields.add(field.path("name").asText()));
    assertThat(fields).contains("id", "square", "name");

    List<ConsumerRecord<byte[], byte[]>> records = cluster.readAll(topic, false);
    assertThat(records).hasSize(n);
    // The 2.x converter has no headers to write to (Converter.fromConnectData without headers), so
    // the id is in the value: magic byte 0, the schema's 8-byte global id, the Avro datum.
    long valueId = registry.globalId(topic + "-value", "1");
    for (ConsumerRecord<byte[], byte[]> record : records) {
      ByteBuffer value = ByteBuffer.wrap(record.value());
      assertThat(value.get()).isZero();
      assertThat(value.getLong()).isEqualTo(valueId);
    }

    try (AvroConverter values = converter(false);
        AvroConverter keys = converter(true)) {
      List<Long> ids = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> record : records) {
        SchemaAndValue value = values.toConnectData(topic, record.headers(), record.value());
        Struct struct = (Struct) value.value();
        long id = ((Number) struct.get("id")).longValue();
        assertThat(((Number) struct.get("square")).longValue()).isEqualTo(id * id);
        assertThat(struct.get("name")).isEqualTo("n" + id);
        Struct key = (Struct) keys.toConnectData(topic, record.headers(), record.key()).value();
        assertThat(((Number) key.get("id")).longValue()).isEqualTo(id);
        ids.add(id);
      }
      assertThat(ids).containsExactlyInAnyOrderElementsOf(range(n));

      // The state events decode through the registry as well (the converter registered their
      // schema under the state topic).
      List<String> types = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> event : cluster.readAll(prefix + "_state", false)) {
        Object decoded =
            values.toConnectData(prefix + "_state", event.headers(), event.value()).value();
        types.add(String.valueOf(decoded));
      }
      assertThat(types).anyMatch(text -> text.contains("SYNC_COMPLETED"));
    }
    cluster.connect.deleteConnector("registry");
  }

  private static AvroConverter converter(boolean isKey) {
    AvroConverter converter = new AvroConverter();
    converter.configure(Map.of("apicurio.registry.url", registry.apiUrl()), isKey);
    return converter;
  }

  private static List<Long> range(int n) {
    List<Long> ids = new ArrayList<>();
    for (long i = 1; i <= n; i++) {
      ids.add(i);
    }
    return ids;
  }
}
