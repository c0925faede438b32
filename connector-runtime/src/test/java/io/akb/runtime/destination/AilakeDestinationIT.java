package io.akb.runtime.destination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.Destination;
import io.akb.runtime.WriteResult;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.testkit.Ailake;
import io.akb.runtime.testkit.Faker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code destination-ailake} 0.1.16 from PyPI, found through the registry snapshot: spec,
 * check, a write read back from its Parquet files, and {@code write(source)} from the real faker.
 */
class AilakeDestinationIT {
  @TempDir Path dir;

  static final ConfiguredAirbyteCatalog CATALOG =
      DestinationWriteIT.catalog(
          "{\"streams\":[{\"stream\":{\"name\":\"users\",\"json_schema\":{\"type\":\"object\","
              + "\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},"
              + "\"address\":{\"type\":\"object\"}}},"
              + "\"supported_sync_modes\":[\"full_refresh\",\"incremental\"]},"
              + "\"sync_mode\":\"incremental\",\"destination_sync_mode\":\"append\"}]}");

  static AirbyteRecordMessage user(long id) {
    ObjectNode data = AirbyteJson.MAPPER.createObjectNode().put("id", id).put("name", "user " + id);
    data.putObject("address").put("city", "Paris");
    return new AirbyteRecordMessage(null, "users", data, 1_700_000_000_000L + id);
  }

  static AirbyteStateMessage state(long cursor) throws Exception {
    return AirbyteJson.MAPPER.readValue(
        "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"users\"},"
            + "\"stream_state\":{\"cursor\":"
            + cursor
            + "}}}",
        AirbyteStateMessage.class);
  }

  @Test
  void registryKnowsItAndItsSpecAsksForTheLakePath() {
    assertThat(Airbyte.getAvailableConnectors()).contains(Ailake.NAME);
    Destination destination = Ailake.destination(dir);
    assertThat(destination.describe()).contains("airbyte-destination-ailake").contains("0.1.16");
    assertThat(destination.spec().connectionSpecification().path("properties").fieldNames())
        .toIterable()
        .contains("table_base_path", "embed_mode");
    destination.check();
  }

  @Test
  void writesScalarFieldsAsParquetAndConfirmsEveryState() throws Exception {
    Destination destination = Ailake.destination(dir);
    List<AirbyteMessage> input = new ArrayList<>();
    for (long id = 1; id <= 150; id++) {
      input.add(AirbyteMessage.of(user(id)));
      if (id % 50 == 0) {
        input.add(AirbyteMessage.of(state(id)));
      }
    }

    WriteResult result = destination.write(CATALOG, input.iterator());

    assertThat(result.recordsWritten()).isEqualTo(150);
    assertThat(result.recordsConfirmed()).isEqualTo(150);
    assertThat(result.confirmedStates())
        .extracting(s -> s.stream().streamState().get("cursor").asLong())
        .containsExactly(50L, 100L, 150L);
    assertThat(Ailake.ids(dir, "users")).isEqualTo(LongStream.rangeClosed(1, 150).boxed().toList());
    Map<String, Object> first =
        Ailake.rows(dir, "users").stream()
            .filter(row -> ((Number) row.get("id")).longValue() == 1)
            .findFirst()
            .orElseThrow();
    // The text field becomes ailake's "text" column next to its embedding; other scalars keep
    // their names, objects are skipped.
    assertThat(first).containsEntry("text", "user 1").containsKeys("id", "embedding");
    assertThat(first).doesNotContainKeys("name", "address");
  }

  @Test
  void fakerIntoAilakeAndASecondWriteAddsNothing() {
    Destination destination = Ailake.destination(dir);

    WriteResult first = destination.write(Faker.source(30).selectStreams(List.of("users")));

    assertThat(first.recordsWritten()).isEqualTo(30);
    assertThat(first.recordsConfirmed()).isEqualTo(30);
    assertThat(first.confirmedPerStream()).containsEntry("users", 30L);
    assertThat(Ailake.ids(dir, "users")).isEqualTo(LongStream.rangeClosed(1, 30).boxed().toList());

    // The faker resumes from the state ailake confirmed: nothing is sent twice.
    WriteResult second = destination.write(Faker.source(30).selectStreams(List.of("users")));
    assertThat(second.recordsWritten()).isZero();
    assertThat(Ailake.ids(dir, "users")).hasSize(30);
  }

  @Test
  void aConfigWithoutTheLakePathIsRefusedBeforeAnythingRuns() {
    ObjectNode config = Ailake.config(dir);
    config.remove("table_base_path");
    assertThatThrownBy(() -> Airbyte.getDestination(Ailake.NAME, config, Ailake.options()))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("table_base_path");
  }
}
