package io.akb.runtime.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.StreamDescriptor;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When a stream's generation starts anew and when a sync keeps it. */
class StreamGenerationsTest {
  private static final StreamDescriptor USERS = new StreamDescriptor("users", null);
  private static final StreamDescriptor EVENTS = new StreamDescriptor("events", "app");

  private static ConfiguredAirbyteCatalog catalog(String usersMode, String eventsMode) {
    try {
      return AirbyteJson.MAPPER.readValue(
          """
          {"streams": [
            {"stream": {"name": "users", "json_schema": {}}, "sync_mode": "%s",
             "destination_sync_mode": "append", "primary_key": []},
            {"stream": {"name": "events", "namespace": "app", "json_schema": {}},
             "sync_mode": "%s", "destination_sync_mode": "append", "primary_key": []}
          ]}"""
              .formatted(usersMode, eventsMode),
          ConfiguredAirbyteCatalog.class);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void aFirstSyncStartsEachStreamsGenerationAtItsStartTime() {
    ConfiguredAirbyteCatalog assigned =
        StreamGenerations.assign(
            catalog("incremental", "full_refresh"), Map.of(), stream -> false, 1_000);

    assertThat(StreamGenerations.of(assigned))
        .containsExactly(Map.entry(USERS, 1_000L), Map.entry(EVENTS, 1_000L));
    assertThat(assigned.streams()).allSatisfy(s -> assertThat(s.minimumGenerationId()).isZero());
  }

  @Test
  void anIncrementalSyncFromAStateKeepsTheGenerationAFullRefreshStartsANewOne() {
    ConfiguredAirbyteCatalog assigned =
        StreamGenerations.assign(
            catalog("incremental", "full_refresh"),
            Map.of(USERS, 1_000L, EVENTS, 1_000L),
            Set.of(USERS, EVENTS)::contains,
            5_000);

    assertThat(StreamGenerations.of(assigned))
        .containsExactly(Map.entry(USERS, 1_000L), Map.entry(EVENTS, 5_000L));
  }

  @Test
  void anIncrementalStreamWithoutAStateAResetOneStartsANewGeneration() {
    ConfiguredAirbyteCatalog assigned =
        StreamGenerations.assign(
            catalog("incremental", "incremental"),
            Map.of(USERS, 1_000L, EVENTS, 1_000L),
            Set.of(EVENTS)::contains,
            5_000);

    assertThat(StreamGenerations.of(assigned))
        .containsExactly(Map.entry(USERS, 5_000L), Map.entry(EVENTS, 1_000L));
  }

  @Test
  void aClockSetBackStillGivesALargerGeneration() {
    ConfiguredAirbyteCatalog assigned =
        StreamGenerations.assign(
            catalog("full_refresh", "full_refresh"), Map.of(USERS, 9_000L), stream -> true, 5_000);

    assertThat(StreamGenerations.of(assigned))
        .containsExactly(Map.entry(USERS, 9_001L), Map.entry(EVENTS, 5_000L));
  }

  @Test
  void theNewestOfTwoViewsIsEachStreamsLargestGeneration() {
    assertThat(
            StreamGenerations.newest(
                Map.of(USERS, 3L, EVENTS, 8L),
                Map.of(USERS, 5L, new StreamDescriptor("x", null), 1L)))
        .containsOnly(
            Map.entry(USERS, 5L),
            Map.entry(EVENTS, 8L),
            Map.entry(new StreamDescriptor("x", null), 1L));
  }
}
