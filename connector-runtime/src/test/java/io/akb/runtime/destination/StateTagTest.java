package io.akb.runtime.destination;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import org.junit.jupiter.api.Test;

class StateTagTest {

  private static AirbyteStateMessage parse(String json) throws Exception {
    return AirbyteJson.MAPPER.readValue(json, AirbyteStateMessage.class);
  }

  @Test
  void tagSurvivesADestinationThatDropsUnknownFields() throws Exception {
    AirbyteStateMessage sent =
        parse(
            "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"users\"},"
                + "\"stream_state\":{\"updated_at\":\"2024-01-01\"}},\"id\":7,\"future\":true}");
    String tagged = AirbyteJson.toJson(StateTag.tag(sent, 42));
    // What a destination built on the CDK echoes: its own model, without "id" and "future".
    AirbyteStateMessage echoed =
        parse(
            tagged
                .replace(",\"id\":7", "")
                .replace(",\"future\":true", "")
                .replace("\"future\":true,", ""));

    assertThat(echoed.unknownFields()).isEmpty();
    assertThat(StateTag.read(echoed)).hasValue(42);
  }

  @Test
  void untagGivesBackWhatTheSourceSentWithItsUnknownFields() throws Exception {
    String json =
        "{\"type\":\"GLOBAL\",\"global\":{\"shared_state\":{\"lsn\":5},\"stream_states\":[]},"
            + "\"future\":{\"x\":[1,2]}}";
    AirbyteStateMessage sent = parse(json);

    AirbyteStateMessage roundTrip = StateTag.untag(StateTag.tag(sent, 3));

    assertThat(AirbyteJson.toJson(roundTrip)).isEqualTo(AirbyteJson.toJson(sent));
    assertThat(roundTrip.unknownFields()).containsKey("future");
    assertThat(StateTag.read(sent)).isEmpty();
  }

  @Test
  void stateWithoutAnObjectToCarryTheTagIsMatchedByItsData() throws Exception {
    AirbyteStateMessage sent =
        parse(
            "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"users\","
                + "\"namespace\":\"\"},\"stream_state\":[1,2]},\"id\":1}");
    AirbyteStateMessage echoed =
        parse(
            "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"users\"},"
                + "\"stream_state\":[1,2]},\"destinationStats\":{\"recordCount\":3}}");
    AirbyteStateMessage other =
        parse(
            "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"users\"},"
                + "\"stream_state\":[1,3]}}");

    assertThat(StateTag.tag(sent, 9)).isSameAs(sent);
    assertThat(StateTag.sameCheckpoint(sent, echoed)).isTrue();
    assertThat(StateTag.sameCheckpoint(sent, other)).isFalse();
  }
}
