package io.akb.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AirbyteJsonTest {
  private static final String NUMBERS =
      "{\"big\":1e10,\"round\":100.0,\"zero\":0.0,\"small\":0.0000001,\"pi\":3.141592653589793,"
          + "\"neg\":-2.50E-3,\"int\":7,\"huge\":123456789012345678901234567890,"
          + "\"nested\":[{\"x\":1.10}],\"s\":\"1e10\",\"t\":true,\"n\":null}";

  @Test
  void aTreeIsWrittenBackWithTheSourcesOwnNumberText() throws Exception {
    JsonNode tree = AirbyteJson.parse(NUMBERS);
    assertThat(tree.toString()).isEqualTo(NUMBERS);
    assertThat(AirbyteJson.toJson(tree)).isEqualTo(NUMBERS);
    assertThat(new String(AirbyteJson.toJsonBytes(tree), StandardCharsets.UTF_8))
        .isEqualTo(NUMBERS);
  }

  @Test
  void numbersKeepTheirExactValue() throws Exception {
    JsonNode tree = AirbyteJson.parse(NUMBERS);
    assertThat(tree.get("big").decimalValue()).isEqualByComparingTo("10000000000");
    assertThat(tree.get("big").isFloatingPointNumber()).isTrue();
    assertThat(tree.get("big").asText()).isEqualTo("1e10");
    assertThat(tree.get("round").decimalValue()).isEqualTo(new BigDecimal("100.0"));
    assertThat(tree.get("pi").doubleValue()).isEqualTo(Math.PI);
    assertThat(tree.get("neg").decimalValue()).isEqualByComparingTo("-0.0025");
    assertThat(tree.get("int").isInt()).isTrue();
    assertThat(tree.get("huge").isBigInteger()).isTrue();
    assertThat(tree.get("n").isNull()).isTrue();
    assertThat(tree.get("s").isTextual()).isTrue();
    // Trees compare by value, as they did when Jackson stripped trailing zeros.
    assertThat(AirbyteJson.parse("{\"x\":1.50,\"z\":0.0}"))
        .isEqualTo(AirbyteJson.parse("{\"x\":1.5,\"z\":0e3}"))
        .hasSameHashCodeAs(AirbyteJson.parse("{\"x\":1.5,\"z\":0e3}"));
  }

  @Test
  void aMessageKeepsItsRecordAndStateNumberTextThroughEveryConversion() throws Exception {
    String line =
        "{\"type\":\"STATE\",\"state\":{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":"
            + "{\"name\":\"s\"},\"stream_state\":{\"cursor\":1.0E+2,\"at\":0.0}}}}";
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    AirbyteMessage message = AirbyteMessageReader.parse(bytes, 0, bytes.length);
    assertThat(AirbyteJson.toJson(message)).isEqualTo(line);
    JsonNode tree = AirbyteJson.MAPPER.valueToTree(message);
    assertThat(tree.toString()).isEqualTo(line);
    AirbyteMessage converted = AirbyteJson.convert(tree, AirbyteMessage.class);
    assertThat(AirbyteJson.toJson(converted)).isEqualTo(line);
    assertThat(AirbyteJson.MAPPER.treeToValue(tree, AirbyteMessage.class).state())
        .isEqualTo(message.state());

    String record =
        "{\"type\":\"RECORD\",\"record\":{\"stream\":\"s\",\"data\":{\"v\":1e-10,\"w\":2.0},"
            + "\"emitted_at\":1}}";
    byte[] recordBytes = record.getBytes(StandardCharsets.UTF_8);
    AirbyteMessage parsed = AirbyteMessageReader.parse(recordBytes, 0, recordBytes.length);
    assertThat(parsed.record().data().toString()).isEqualTo("{\"v\":1e-10,\"w\":2.0}");
    assertThat(parsed.record().data().get("v").decimalValue()).isEqualByComparingTo("1e-10");
  }
}
