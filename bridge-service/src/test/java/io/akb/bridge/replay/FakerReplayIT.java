package io.akb.bridge.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.bridge.testing.ContractProducer;
import io.akb.bridge.testing.RunningTarget;
import io.akb.bridge.testing.TestDatabases;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.MessageStream;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.testkit.Faker;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real source-faker's output (through the runtime's Source API) written to the topics as the
 * source connector does, replayed into a DuckDB and a PostgreSQL target at once.
 */
class FakerReplayIT {
  @TempDir Path dir;

  @Test
  void realFakerOutputReachesBothTargetsOnceWithItsLastStatePerStream() throws Exception {
    Source faker = Faker.source(300);
    faker.selectAllStreams();
    ConfiguredAirbyteCatalog catalog = faker.configuredCatalog();
    Map<String, ConfiguredAirbyteStream> streams = new HashMap<>();
    catalog.streams().forEach(stream -> streams.put(stream.stream().name(), stream));

    String prefix = "airbyte.faker-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Map<String, Long> recordsPerStream = new HashMap<>();
    Map<String, AirbyteStateMessage> lastState = new HashMap<>();
    try (ContractProducer topics = new ContractProducer(prefix, "source-faker")) {
      Map<String, Integer> partitions = new HashMap<>();
      streams.keySet().forEach(stream -> partitions.put(stream, 2));
      topics.createTopics(partitions);
      topics.startSync(catalog.streams());
      try (MessageStream messages = faker.read(catalog, null)) {
        while (messages.hasNext()) {
          AirbyteMessage message = messages.next();
          if (message.type() == AirbyteMessage.Type.RECORD) {
            String stream = message.record().stream();
            topics.record(
                stream, key(streams.get(stream), message.record().data()), message.record().data());
            recordsPerStream.merge(stream, 1L, Long::sum);
          } else if (message.type() == AirbyteMessage.Type.STATE) {
            AirbyteStateMessage state = message.state();
            topics.checkpoint(state, topics.counts());
            lastState.put(state.stream().streamDescriptor().name(), state);
          }
        }
      }
      topics.completeSync(true);
      topics.flush();
    }
    assertThat(recordsPerStream).containsEntry("users", 300L);

    String pgUrl = TestDatabases.create("faker");
    try (RunningTarget duck =
            RunningTarget.start(
                "faker-duck",
                "duckdb:" + dir.resolve("faker.duckdb"),
                prefix,
                WriteStrategy.AUTO,
                Map.of(),
                250);
        RunningTarget pg =
            RunningTarget.start(
                "faker-pg", "postgres:" + pgUrl, prefix, WriteStrategy.AUTO, Map.of(), 250)) {
      for (RunningTarget target : List.of(duck, pg)) {
        target.awaitCaughtUp();
        Map<String, JsonNode> states = target.query(cache -> cache.states("source-faker"));
        recordsPerStream.forEach(
            (stream, count) -> {
              // Faker's streams have primary keys: merge, so every key once.
              assertThat(target.count(stream)).as(stream).isEqualTo(count);
              // As JSON text: a number read back from the cache may be another node type.
              assertThat(states.get(stream))
                  .as("state of " + stream)
                  .hasToString(AirbyteJson.toJson(lastState.get(stream)));
            });
        JsonNode user =
            target.query(
                cache -> {
                  try (var rows = cache.rows("users")) {
                    return rows.filter(row -> row.get("id").asInt() == 7).findFirst().orElseThrow();
                  }
                });
        assertThat(user.get("id").isIntegralNumber()).isTrue();
        assertThat(user.get("age").isIntegralNumber()).isTrue();
        assertThat(user.get("email").asText()).contains("@");
      }
    } finally {
      TestDatabases.drop(pgUrl);
    }
  }

  /** The record's primary key fields, as the source connector puts them in the Kafka key. */
  private static JsonNode key(ConfiguredAirbyteStream stream, JsonNode data) {
    List<List<String>> primaryKey =
        stream.primaryKey() != null && !stream.primaryKey().isEmpty()
            ? stream.primaryKey()
            : stream.stream().sourceDefinedPrimaryKey();
    if (primaryKey == null || primaryKey.isEmpty()) {
      return null;
    }
    ObjectNode key = AirbyteJson.MAPPER.createObjectNode();
    primaryKey.forEach(path -> key.set(path.get(0), data.get(path.get(0))));
    return key;
  }
}
