package io.akb.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateOffsetsTest {

  private static AirbyteStateMessage state(String json) throws Exception {
    return AirbyteJson.MAPPER.readValue(json, AirbyteStateMessage.class);
  }

  @Test
  void aStreamStateIsStoredVerbatimUnderItsStreamsPartition() throws Exception {
    AirbyteStateMessage users =
        state(
            "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"users\"},"
                + "\"stream_state\":{\"updated_at\":\"2024-01-01\",\"x\":1.10}},\"sourceStats\":{\"recordCount\":8.0},\"future\":true}");
    Map<String, Object> partition = StateOffsets.partitionOf(users);
    Map<String, Object> offset = StateOffsets.offsetOf(users);

    assertThat(partition).isEqualTo(Map.of("stream", "users"));
    assertThat(SyncRunTest.plain(AirbyteJson.parse((String) offset.get("state"))))
        .isEqualTo(SyncRunTest.plain(AirbyteJson.MAPPER.valueToTree(users)));
    assertThat((String) offset.get("state")).contains("\"future\":true");
    assertThat(
            SyncRunTest.plain(
                AirbyteJson.MAPPER.valueToTree(StateOffsets.stateOf(partition, offset))))
        .isEqualTo(SyncRunTest.plain(AirbyteJson.MAPPER.valueToTree(users)));
  }

  @Test
  void theStateArgumentHoldsEveryStreamStateOrTheGlobalOne() throws Exception {
    AirbyteStateMessage users =
        state(
            "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"users\"},\"stream_state\":{\"c\":1}}}");
    AirbyteStateMessage items =
        state(
            "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"items\",\"namespace\":\"shop\"},\"stream_state\":{\"c\":2}}}");
    Map<Map<String, Object>, Map<String, Object>> stored = new LinkedHashMap<>();
    stored.put(StateOffsets.partitionOf(users), StateOffsets.offsetOf(users));
    stored.put(StateOffsets.partitionOf(items), StateOffsets.offsetOf(items));
    stored.put(Map.of("stream", "gone"), null);
    assertThat(StateOffsets.stateArgument(stored))
        .containsExactlyInAnyOrder(
            AirbyteJson.MAPPER.valueToTree(users), AirbyteJson.MAPPER.valueToTree(items));
    assertThat(StateOffsets.partitionOf(items))
        .isEqualTo(Map.of("stream", "items", "namespace", "shop"));

    AirbyteStateMessage global =
        state(
            "{\"type\":\"GLOBAL\",\"global\":{\"shared_state\":{\"lsn\":5},\"stream_states\":[]}}");
    stored.put(StateOffsets.partitionOf(global), StateOffsets.offsetOf(global));
    assertThat(StateOffsets.stateArgument(stored))
        .containsExactly(AirbyteJson.MAPPER.valueToTree(global));
    assertThat(StateOffsets.stateArgument(Map.of())).isNull();
  }

  @Test
  void offsetsThatCannotBeResumedFromAreRefusedWithAReason() throws Exception {
    assertThatThrownBy(() -> StateOffsets.checkPartition(Map.of("table", "users")))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("stream partition");
    assertThatThrownBy(
            () -> StateOffsets.stateOf(Map.of("stream", "users"), Map.of("state", "{not json")))
        .hasMessageContaining("not an Airbyte STATE message");
    assertThatThrownBy(() -> StateOffsets.stateOf(Map.of("stream", "users"), Map.of("cursor", 5)))
        .hasMessageContaining("{\"state\": \"<STATE as JSON>\"}");
    String itemsState =
        "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"items\"},\"stream_state\":{}}}";
    assertThatThrownBy(
            () -> StateOffsets.stateOf(Map.of("stream", "users"), Map.of("state", itemsState)))
        .hasMessageContaining("belongs under the partition {stream=items}");
    StateOffsets.checkPartition(Map.of("state_type", "GLOBAL"));
    assertThat(StateOffsets.partitionsFor(List.of())).hasSize(2);
  }
}
