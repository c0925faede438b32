package io.akb.runtime.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.StreamDescriptor;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The schemas topic's value, as a reader of {@code <prefix>_schemas} sees it. */
class WriterSchemaTest {
  static final JsonNode USERS =
      parse(
          """
          {"type":"object","properties":{
            "id":{"type":"integer"},
            "first name":{"type":"string"},
            "born":{"type":"string","format":"date"},
            "seen":{"type":"string","format":"date-time"}}}""");

  static WriterSchema users(String namespace) {
    return WriterSchema.of(
        new StreamDescriptor("users", namespace),
        AvroSchemaConverter.convert(namespace, "users", USERS).schema());
  }

  @Test
  void theTopicValueReadsBackAsTheSameSchemaWithEveryPropertyKept() {
    for (String namespace : new String[] {"app", null}) {
      WriterSchema written = users(namespace);

      WriterSchema read = WriterSchema.parse(written.toJsonBytes());

      assertThat(read).isEqualTo(written);
      assertThat(read.stream()).isEqualTo(new StreamDescriptor("users", namespace));
      assertThat(read.fingerprint()).isEqualTo(written.fingerprint());
      // Schema.equals compares properties and logical types, which the fingerprint does not cover.
      assertThat(read.schema()).isEqualTo(written.schema());
      Schema.Field renamed = read.schema().getField("first_name");
      assertThat(renamed.getProp(AvroSchemaConverter.NAME_PROP)).isEqualTo("first name");
      assertThat(read.schema().getField("born").schema().getTypes().get(1).getLogicalType())
          .isNotNull();
    }
  }

  @Test
  void theValueNamesFingerprintStreamAndNamespaceAsTheContractSays() {
    WriterSchema schema = users("app");
    JsonNode value = parse(new String(schema.toJsonBytes(), StandardCharsets.UTF_8));

    assertThat(value.get("fingerprint").asText())
        .isEqualTo(schema.fingerprintHex())
        .matches("[0-9a-f]{16}");
    assertThat(value.get("namespace").asText()).isEqualTo("app");
    assertThat(value.get("stream").asText()).isEqualTo("users");
    assertThat(new Schema.Parser().parse(value.get("schema").toString()))
        .isEqualTo(schema.schema());
    assertThat(WriterSchema.hex(0x0102L)).isEqualTo("0000000000000102");
    assertThat(WriterSchema.hex(-1L)).isEqualTo("ffffffffffffffff");
  }

  @Test
  void aValueWhoseStatedFingerprintIsNotItsSchemasIsRefused() {
    ObjectNode value = (ObjectNode) parse(json(users(null)));
    value.put("fingerprint", "0000000000000001");

    assertThatThrownBy(() -> WriterSchema.parse(AirbyteJson.toJsonBytes(value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("its fingerprint 0000000000000001 is not its schema's")
        .hasMessageContaining(users(null).fingerprintHex());
  }

  @Test
  void aValueThatIsNoWriterSchemaIsRefusedSayingWhy() {
    assertThatThrownBy(() -> WriterSchema.parse(bytes("not json")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> WriterSchema.parse(bytes("{\"stream\":\"users\"}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no \"schema\" object or \"stream\" name");
    assertThatThrownBy(
            () ->
                WriterSchema.parse(bytes("{\"stream\":\"users\",\"schema\":{\"type\":\"nope\"}}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("its schema is no Avro schema");
  }

  private static String json(WriterSchema schema) {
    return new String(schema.toJsonBytes(), StandardCharsets.UTF_8);
  }

  static JsonNode parse(String json) {
    try {
      return AirbyteJson.parse(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
