package io.akb.runtime.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.runtime.AkbException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AirbyteMessageReaderTest {

  private static List<AirbyteMessage> readAll(String text) {
    AirbyteMessageReader reader =
        new AirbyteMessageReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    List<AirbyteMessage> messages = new ArrayList<>();
    for (AirbyteMessage m = reader.next(); m != null; m = reader.next()) {
      messages.add(m);
    }
    return messages;
  }

  @Test
  void aLineIsReadyOnlyOnceItIsWholeAndReadyNeverWaits() throws Exception {
    java.io.PipedOutputStream connector = new java.io.PipedOutputStream();
    AirbyteMessageReader reader =
        new AirbyteMessageReader(new java.io.PipedInputStream(connector, 1 << 16));
    String record =
        "{\"type\":\"RECORD\",\"record\":{\"stream\":\"s\",\"data\":{},\"emitted_at\":1}}";

    assertThat(reader.ready()).as("nothing written yet").isFalse();
    connector.write((record + "\n" + record + "\n" + record.substring(0, 20)).getBytes(UTF_8));
    assertThat(reader.ready()).isTrue();
    assertThat(reader.next().type()).isEqualTo(AirbyteMessage.Type.RECORD);
    assertThat(reader.ready()).isTrue();
    assertThat(reader.next().type()).isEqualTo(AirbyteMessage.Type.RECORD);
    // Half a line: next() would wait for the rest, so it is not ready (and ready() did not wait).
    assertThat(reader.ready()).isFalse();

    connector.write((record.substring(20) + "\n").getBytes(UTF_8));
    assertThat(reader.ready()).isTrue();
    assertThat(reader.next().record().stream()).isEqualTo("s");
    assertThat(reader.ready()).isFalse();
    connector.close();
  }

  @Test
  void stateRoundTripsWithUnknownFields() {
    String line =
        "{\"type\":\"STATE\",\"state\":{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":"
            + "{\"name\":\"users\"},\"stream_state\":{\"updated_at\":\"2024-01-01\"}},"
            + "\"sourceStats\":{\"recordCount\":10.0},\"id\":7,\"future\":{\"x\":[1,2]}},\"extra\":true}";
    AirbyteMessage message = readAll(line + "\n").get(0);

    assertThat(message.type()).isEqualTo(AirbyteMessage.Type.STATE);
    assertThat(message.state().stream().streamDescriptor().name()).isEqualTo("users");
    assertThat(message.state().unknownFields()).containsKeys("id", "future");
    assertThat((Object) AirbyteJson.MAPPER.valueToTree(message)).isEqualTo(readTree(line));
  }

  @Test
  void nonProtocolLinesBecomeLogLines() {
    List<AirbyteMessage> messages =
        readAll(
            "hello\n{\"not\":\"protocol\"}\n\n{\"type\":\"RECORD\",\"record\":{\"stream\":\"s\",\"data\":{},\"emitted_at\":1}}\n{broken");
    assertThat(messages)
        .extracting(AirbyteMessage::type)
        .containsExactly(
            AirbyteMessage.Type.LOG,
            AirbyteMessage.Type.LOG,
            AirbyteMessage.Type.RECORD,
            AirbyteMessage.Type.LOG);
    assertThat(messages.get(0).log().message()).isEqualTo("hello");
    assertThat(messages.get(3).log().message()).isEqualTo("{broken");
  }

  @Test
  void aRecordCutOffMidLineFailsNamingTheLineInsteadOfBecomingALogLine() {
    String cut = "{\"type\": \"RECORD\",\"record\":{\"stream\":\"s\",\"data\":{\"id\":1";
    assertThatThrownBy(() -> readAll("hello\n" + cut + "\n"))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("line 2 starts like a protocol message but is not valid JSON")
        .hasMessageContaining("end-of-input")
        .hasMessageContaining("connector bug");
  }

  @Test
  void aRecordWithAStringOverJacksonsDefaultLimitParsesWhole() {
    String blob = "x".repeat(25_000_000); // Jackson's default cap on one string is 20,000,000
    String line =
        "{\"type\":\"RECORD\",\"record\":{\"stream\":\"s\",\"data\":{\"blob\":\""
            + blob
            + "\"},\"emitted_at\":1}}";
    List<AirbyteMessage> messages = readAll(line + "\n");
    assertThat(messages)
        .extracting(AirbyteMessage::type)
        .containsExactly(AirbyteMessage.Type.RECORD);
    assertThat(messages.get(0).record().data().get("blob").asText()).isEqualTo(blob);
  }

  private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
    try {
      return AirbyteJson.parse(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
