package io.akb.runtime.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.StreamDescriptor;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * One Avro writer schema of a stream, as the schemas topic {@code <prefix>_schemas} keeps it for
 * values in single-object encoding ({@code record.format=avro}).
 *
 * <ul>
 *   <li>fingerprint: CRC-64-AVRO of the schema's parsing canonical form ({@link
 *       SchemaNormalization#parsingFingerprint64}), the 8 bytes every value's header carries
 *       (little-endian, after {@code 0xC3 0x01}).
 *   <li>key on the topic: {@link #fingerprintHex}, 16 lower-case hex digits of that number.
 *   <li>value: {@code {"fingerprint":"<hex>","namespace":…,"stream":…,"schema":<the schema's
 *       JSON>}} ({@link #toJsonBytes}); the schema JSON keeps every property ({@code airbyte.name},
 *       logical types), which the fingerprint does not cover.
 * </ul>
 *
 * @param fingerprint the schema's CRC-64-AVRO fingerprint
 * @param stream the stream whose records it writes
 * @param schema the writer schema
 */
public record WriterSchema(long fingerprint, StreamDescriptor stream, Schema schema) {

  /** A stream's writer schema, with its fingerprint computed. */
  public static WriterSchema of(StreamDescriptor stream, Schema schema) {
    return new WriterSchema(SchemaNormalization.parsingFingerprint64(schema), stream, schema);
  }

  /** A fingerprint as the topic's key and messages name it: 16 lower-case hex digits. */
  public static String hex(long fingerprint) {
    return String.format("%016x", fingerprint);
  }

  public String fingerprintHex() {
    return hex(fingerprint);
  }

  /** The value written on the schemas topic. */
  public byte[] toJsonBytes() {
    ObjectNode value = AirbyteJson.MAPPER.createObjectNode();
    value.put("fingerprint", fingerprintHex());
    value.put("namespace", stream.namespace());
    value.put("stream", stream.name());
    try {
      value.set("schema", AirbyteJson.MAPPER.readTree(schema.toString()));
    } catch (IOException e) {
      throw new IllegalStateException("an Avro schema's own JSON does not parse", e);
    }
    return AirbyteJson.toJsonBytes(value);
  }

  /**
   * A value read from the schemas topic. The fingerprint is computed from the schema itself, so a
   * value whose {@code fingerprint} field disagrees is refused rather than trusted.
   *
   * @throws IllegalArgumentException when the value is not such a record, saying why
   */
  public static WriterSchema parse(byte[] value) {
    JsonNode node;
    try {
      node = AirbyteJson.MAPPER.readTree(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
    if (node == null || !node.path("schema").isObject() || !node.path("stream").isTextual()) {
      throw new IllegalArgumentException("no \"schema\" object or \"stream\" name");
    }
    Schema schema;
    try {
      schema = new Schema.Parser().parse(node.get("schema").toString());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("its schema is no Avro schema: " + e.getMessage(), e);
    }
    String namespace = node.path("namespace").isTextual() ? node.get("namespace").asText() : null;
    WriterSchema parsed = of(new StreamDescriptor(node.get("stream").asText(), namespace), schema);
    String stated = node.path("fingerprint").asText(null);
    if (stated != null && !stated.equals(parsed.fingerprintHex())) {
      throw new IllegalArgumentException(
          "its fingerprint " + stated + " is not its schema's, " + parsed.fingerprintHex());
    }
    return parsed;
  }
}
