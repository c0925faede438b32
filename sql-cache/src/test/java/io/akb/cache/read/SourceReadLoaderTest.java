package io.akb.cache.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.SqlCache;
import io.akb.runtime.AkbException;
import io.akb.runtime.MessageStream;
import io.akb.runtime.ReadResult;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.testkit.FailingRead;
import io.akb.runtime.testkit.Faker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The faker's recorded read (300 records, 3 states) loaded into a DuckDB cache, in small batches.
 */
class SourceReadLoaderTest {
  @TempDir Path dir;
  private SqlCache cache;

  @BeforeEach
  void open() {
    cache =
        SqlCache.open(
            CacheLocation.parse("duckdb:" + dir.resolve("read.duckdb")), CacheOptions.defaults());
  }

  @AfterEach
  void close() {
    cache.close();
  }

  /** The faker's three streams, keyed by id, with empty schemas: columns come from the data. */
  static ConfiguredAirbyteCatalog catalog() {
    StringBuilder streams = new StringBuilder();
    for (String name : Faker.STREAMS) {
      streams
          .append(streams.length() > 0 ? "," : "")
          .append("{\"stream\": {\"name\": \"")
          .append(name)
          .append(
              "\", \"json_schema\": {\"type\": \"object\"}, \"supported_sync_modes\": [\"full_refresh\", \"incremental\"]},")
          .append(
              " \"sync_mode\": \"incremental\", \"destination_sync_mode\": \"append_dedup\", \"primary_key\": [[\"id\"]]}");
    }
    try {
      return AirbyteJson.MAPPER.readValue(
          "{\"streams\": [" + streams + "]}", ConfiguredAirbyteCatalog.class);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void loadsEveryRecordAndTheLastStateInBatches() {
    ReadResult result =
        new SourceReadLoader(cache, 7)
            .load(Faker.NAME, catalog(), MessageStream.of(Faker.recordedRead()));

    assertThat(result.recordsRead()).containsOnlyKeys("products", "users", "purchases");
    long recorded =
        Faker.recordedRead().stream().filter(m -> m.type() == AirbyteMessage.Type.RECORD).count();
    assertThat(result.totalRecordsRead()).isEqualTo(recorded);
    for (String stream : Faker.STREAMS) {
      assertThat(result.get(stream).count()).as(stream).isEqualTo(result.recordsRead().get(stream));
    }
    try (Stream<JsonNode> users = result.get("users").records()) {
      List<JsonNode> rows = users.collect(Collectors.toList());
      assertThat(rows)
          .allSatisfy(
              row -> {
                assertThat(row.get("id").isIntegralNumber()).isTrue();
                assertThat(row.get("email").asText()).contains("@");
                assertThat(row.get("address").isObject()).isTrue();
              });
    }
    assertThat(result.finalState()).isNotNull();
    assertThat(result.finalState().size()).isEqualTo(3);
    assertThat(new SourceReadLoader(cache, 7).state(Faker.NAME)).isEqualTo(result.finalState());
  }

  @Test
  void aConnectorFailureKeepsWhatWasReadAndPassesTheErrorOn() {
    List<AirbyteMessage> firstHalf = new ArrayList<>(Faker.recordedRead().subList(0, 120));
    long recordsBeforeFailure =
        firstHalf.stream().filter(m -> m.type() == AirbyteMessage.Type.RECORD).count();
    MessageStream failing =
        FailingRead.after(
            firstHalf,
            new AkbException("source-faker read", "the connector exited with code 1", null));

    assertThatThrownBy(() -> new SourceReadLoader(cache, 1000).load(Faker.NAME, catalog(), failing))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("exited with code 1");
    long stored = Faker.STREAMS.stream().mapToLong(cache::count).sum();
    assertThat(stored).isEqualTo(recordsBeforeFailure);
  }

  @Test
  void statesWaitForTheNextCommitAndAFailureStillStoresTheLastOnesBeforeIt() {
    // A batch larger than the whole read: no state forces a commit of its own, yet the states
    // received before the failure are stored with the records before them.
    List<AirbyteMessage> firstHalf = new ArrayList<>(Faker.recordedRead().subList(0, 120));
    Map<String, JsonNode> lastStates = new LinkedHashMap<>();
    for (AirbyteMessage message : firstHalf) {
      if (message.type() == AirbyteMessage.Type.STATE) {
        lastStates.put(
            message.state().stream().streamDescriptor().name(),
            AirbyteJson.MAPPER.valueToTree(message.state()));
      }
    }
    assertThat(lastStates).isNotEmpty();
    MessageStream failing =
        FailingRead.after(
            firstHalf,
            new AkbException("source-faker read", "the connector exited with code 1", null));

    assertThatThrownBy(
            () -> new SourceReadLoader(cache, 100_000).load(Faker.NAME, catalog(), failing))
        .isInstanceOf(AkbException.class);

    Map<String, JsonNode> stored = cache.states(Faker.NAME);
    assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(lastStates.keySet());
    lastStates.forEach(
        (stream, state) ->
            assertThat(AirbyteJson.MAPPER.valueToTree(stored.get(stream)).toString())
                .as(stream)
                .isEqualTo(state.toString()));
  }
}
