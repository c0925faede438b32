package io.akb.runtime.destination;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import org.junit.jupiter.api.Test;

class LatestStatesTest {

  private static AirbyteStateMessage streamState(String stream, int cursor) throws Exception {
    return AirbyteJson.MAPPER.readValue(
        "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\""
            + stream
            + "\"},\"stream_state\":{\"cursor\":"
            + cursor
            + "}}}",
        AirbyteStateMessage.class);
  }

  @Test
  void keepsTheNewestStatePerStreamForTheSourcesStateArgument() throws Exception {
    LatestStates states = new LatestStates();
    states.apply(streamState("users", 1));
    states.apply(streamState("purchases", 5));
    states.apply(streamState("users", 2));

    assertThat(states.toStateArgument().toString())
        .isEqualTo(
            "[{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"users\"},"
                + "\"stream_state\":{\"cursor\":2}}},{\"type\":\"STREAM\",\"stream\":"
                + "{\"stream_descriptor\":{\"name\":\"purchases\"},\"stream_state\":{\"cursor\":5}}}]");
  }

  @Test
  void aGlobalStateSupersedesStreamStates() throws Exception {
    LatestStates states = new LatestStates();
    states.apply(streamState("users", 1));
    states.apply(
        AirbyteJson.MAPPER.readValue(
            "{\"type\":\"GLOBAL\",\"global\":{\"shared_state\":{\"lsn\":9},\"stream_states\":[]}}",
            AirbyteStateMessage.class));

    assertThat(states.states()).hasSize(1);
    assertThat(states.states().get(0).global().sharedState().get("lsn").asInt()).isEqualTo(9);
  }

  @Test
  void noStateMeansNoStateArgument() {
    assertThat(new LatestStates().toStateArgument()).isNull();
  }
}
