package io.akb.runtime.destination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.Destination;
import io.akb.runtime.WriteResult;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming writer against the real CDK test destination and two misbehaving ones. */
class DestinationWriteIT {
  @TempDir Path dir;

  static final ConfiguredAirbyteCatalog CATALOG =
      catalog(
          "{\"streams\":[{\"stream\":{\"name\":\"users\",\"json_schema\":{\"type\":\"object\"},"
              + "\"supported_sync_modes\":[\"incremental\"]},\"sync_mode\":\"incremental\","
              + "\"destination_sync_mode\":\"append\"}]}");

  static ConfiguredAirbyteCatalog catalog(String json) {
    try {
      return AirbyteJson.MAPPER.readValue(json, ConfiguredAirbyteCatalog.class);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static AirbyteRecordMessage user(int id) {
    return new AirbyteRecordMessage(
        null,
        "users",
        AirbyteJson.MAPPER.createObjectNode().put("id", id),
        1_700_000_000_000L + id);
  }

  static AirbyteStateMessage state(int cursor) {
    try {
      // "id" and "future" are fields the CDK's model does not know: its echo drops them.
      return AirbyteJson.MAPPER.readValue(
          "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"users\"},"
              + "\"stream_state\":{\"cursor\":"
              + cursor
              + "}},\"id\":"
              + cursor
              + ",\"future\":{\"x\":1}}",
          AirbyteStateMessage.class);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  JsonNode config(String json) throws Exception {
    return AirbyteJson.parse(json);
  }

  List<JsonNode> lines(Path file) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      lines.add(AirbyteJson.parse(line));
    }
    return lines;
  }

  @Test
  void cdkDestinationWritesRecordsAndConfirmsStatesItEchoesWithoutTheirUnknownFields()
      throws Exception {
    Destination destination = TestDestinations.jsonLines(config("{\"directory\":\"" + dir + "\"}"));
    destination.check();
    JsonNode changes =
        AirbyteJson.parse(
            "{\"changes\":[{\"field\":\"name\",\"change\":\"TRUNCATED\","
                + "\"reason\":\"SOURCE_FIELD_SIZE_LIMITATION\"}]}");
    List<AirbyteMessage> input = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      input.add(AirbyteMessage.of(user(i)));
    }
    input.add(AirbyteMessage.of(state(5)));
    input.add(
        AirbyteMessage.of(
            new AirbyteRecordMessage(
                null,
                "users",
                AirbyteJson.MAPPER.createObjectNode().put("id", 6),
                1_700_000_000_006L,
                changes,
                null)));
    input.add(AirbyteMessage.of(state(6)));

    WriteResult result = destination.write(CATALOG, input.iterator());

    assertThat(result.recordsWritten()).isEqualTo(6);
    assertThat(result.recordsConfirmed()).isEqualTo(6);
    assertThat(result.confirmedStates()).hasSize(2);
    // What is reported is what was sent: untagged, unknown fields kept.
    assertThat(AirbyteJson.toJson(result.confirmedStates().get(1)))
        .isEqualTo(AirbyteJson.toJson(state(6)));
    List<JsonNode> rows = lines(dir.resolve("users.jsonl"));
    assertThat(rows)
        .extracting(row -> row.get("data").get("id").asInt())
        .containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(rows.get(0).get("emitted_at").asLong()).isEqualTo(1_700_000_000_001L);
    assertThat(rows.get(5).get("changes").get(0).get("change").asText()).isEqualTo("TRUNCATED");
  }

  @Test
  void recordOfAStreamTheCatalogLacksFailsWithTheDestinationsOwnMessage() throws Exception {
    Destination destination = TestDestinations.jsonLines(config("{\"directory\":\"" + dir + "\"}"));
    AirbyteRecordMessage stray =
        new AirbyteRecordMessage(null, "orders", AirbyteJson.MAPPER.createObjectNode(), 1L);

    assertThatThrownBy(
            () ->
                destination.write(
                    CATALOG,
                    List.of(
                            AirbyteMessage.of(user(1)),
                            AirbyteMessage.of(state(1)),
                            AirbyteMessage.of(stray),
                            AirbyteMessage.of(state(2)))
                        .iterator()))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("destination-akb-jsonl write failed")
        .hasMessageContaining("'orders' which is not in the configured catalog");
  }

  @Test
  void destinationCrashingOnTheNthRecordFailsWithItsLastLogLinesAndConfirmsOnlyWhatItEchoed()
      throws Exception {
    Destination destination = TestDestinations.misbehaving(config("{\"crash_after_records\":3}"));
    List<ConfirmedState> confirmed = new ArrayList<>();
    DestinationWriter writer = destination.openWriter(CATALOG, confirmed::add);

    AkbException failure = null;
    try {
      writer.write(user(1));
      writer.write(user(2));
      writer.writeState(state(2));
      for (int i = 3; i <= 2_000; i++) {
        writer.write(user(i));
      }
      writer.finish(Duration.ofSeconds(30));
    } catch (AkbException e) {
      failure = e;
    } finally {
      writer.close();
    }

    assertThat(failure).isNotNull();
    assertThat(failure.why()).contains("exited with code 1");
    assertThat(failure.logTail()).anyMatch(line -> line.contains("cannot store record 4"));
    assertThat(confirmed).extracting(ConfirmedState::recordsBefore).containsExactly(2L);
    assertThat(writer.lastConfirmed().state().stream().streamState().get("cursor").asInt())
        .isEqualTo(2);
  }

  @Test
  void destinationThatNeverEchoesFailsAtTheEndAndConfirmsNothing() throws Exception {
    Destination destination = TestDestinations.misbehaving(config("{\"echo_states\":false}"));

    assertThatThrownBy(
            () ->
                destination.write(
                    CATALOG,
                    List.of(
                            AirbyteMessage.of(user(1)),
                            AirbyteMessage.of(state(1)),
                            AirbyteMessage.of(user(2)),
                            AirbyteMessage.of(state(2)))
                        .iterator()))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("exited without echoing 2 of 2 STATE messages")
        .hasMessageContaining("the 2 records sent after the last echoed state");
  }

  @Test
  void destinationThatStaysAliveWithoutEchoingFailsTheEchoCheck() throws Exception {
    Destination destination = TestDestinations.misbehaving(config("{\"echo_states\":false}"));
    try (DestinationWriter writer = destination.openWriter(CATALOG, null)) {
      writer.write(user(1));
      writer.writeState(state(1));
      writer.checkEchoes(Duration.ofHours(1)); // a fresh state is not overdue

      assertThatThrownBy(() -> writer.checkEchoes(Duration.ZERO))
          .isInstanceOf(AkbException.class)
          .hasMessageContaining("did not echo STATE 1 within 0 s")
          .hasMessageContaining("the 1 records sent since the last echoed state are not confirmed");
      assertThat(writer.lastConfirmed()).isNull();
    }
  }
}
