package io.akb.runtime.schema;

import static io.akb.runtime.schema.WriterSchemaTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.StreamDescriptor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;

/**
 * What a writer puts on the schemas topic and when, as a reader of {@code <prefix>_schemas} and of
 * the record topic would check it: one schema per version, written once, before its records; a
 * compatible change is a new version whose schema reads the old records; an incompatible one is
 * refused naming the field.
 */
class AvroValueWriterTest {
  static final StreamDescriptor ITEMS = new StreamDescriptor("items", null);

  static final JsonNode V1 =
      parse(
          """
          {"type":"object","properties":{
            "id":{"type":"integer"},"name":{"type":"string"},"price":{"type":"integer"}}}""");

  /** V1 with a field added and {@code price} widened from integer to number: Avro reads V1. */
  static final JsonNode V2 =
      parse(
          """
          {"type":"object","properties":{
            "id":{"type":"integer"},"name":{"type":"string"},"price":{"type":"number"},
            "note":{"type":"string"}}}""");

  /** V1 with a field added: each of the two reads the other's records. */
  static final JsonNode V1_WITH_NOTE =
      parse(
          """
          {"type":"object","properties":{
            "id":{"type":"integer"},"name":{"type":"string"},"price":{"type":"integer"},
            "note":{"type":"string"}}}""");

  /** V1 with {@code name} turned from string into integer: V1's records cannot be read with it. */
  static final JsonNode NAME_AS_INTEGER =
      parse(
          """
          {"type":"object","properties":{
            "id":{"type":"integer"},"name":{"type":"integer"},"price":{"type":"integer"}}}""");

  @Test
  void theFirstRecordOfAStreamNeedsItsSchemaWrittenOnceAndTheSameSchemaNoNewVersion() {
    AvroValueWriter writer = new AvroValueWriter();

    WriterSchema first = writer.schemaOf(ITEMS, V1);
    assertThat(writer.needsWriting(first)).as("first use").isTrue();
    assertThat(writer.needsWriting(first)).as("second use").isFalse();

    // The next sync brings the same JSON schema (an equal copy): same version, nothing to write.
    WriterSchema again = writer.schemaOf(ITEMS, V1.deepCopy());
    assertThat(again.fingerprint()).isEqualTo(first.fingerprint());
    assertThat(writer.needsWriting(again)).isFalse();
    assertThat(first.stream()).isEqualTo(ITEMS);
  }

  @Test
  void aCompatibleChangeIsANewVersionWithANewFingerprintThatReadsTheOldRecords() throws Exception {
    AvroValueWriter writer = new AvroValueWriter();
    WriterSchema v1 = writer.schemaOf(ITEMS, V1);
    writer.needsWriting(v1);
    byte[] oldRecord = writer.encode(v1, parse("{\"id\":3,\"name\":\"n\",\"price\":103}")).value();

    WriterSchema v2 = writer.schemaOf(ITEMS, V2);

    assertThat(v2.fingerprint()).isNotEqualTo(v1.fingerprint());
    assertThat(writer.needsWriting(v2)).as("the new version is written").isTrue();
    assertThat(writer.needsWriting(v2)).isFalse();
    // A reader holding only the new version reads a record of the old one.
    BinaryMessageDecoder<GenericRecord> decoder =
        new BinaryMessageDecoder<>(GenericData.get(), v2.schema());
    decoder.addSchema(v1.schema());
    GenericRecord read = decoder.decode(oldRecord);
    assertThat(read.get("price")).isEqualTo(103.0);
    assertThat(read.get("note")).isNull();
  }

  @Test
  void aVersionThatBecomesTheLatestAgainIsWrittenAgain() {
    AvroValueWriter writer = new AvroValueWriter();
    WriterSchema v1 = writer.schemaOf(ITEMS, V1);
    writer.needsWriting(v1);
    writer.needsWriting(writer.schemaOf(ITEMS, V1_WITH_NOTE));

    WriterSchema back = writer.schemaOf(ITEMS, V1);

    // Readers take the topic's last schema of a stream as its current one.
    assertThat(back.fingerprint()).isEqualTo(v1.fingerprint());
    assertThat(writer.needsWriting(back)).isTrue();
  }

  @Test
  void anIncompatibleChangeIsRefusedNamingTheStreamTheFieldAndWhatToDo() {
    AvroValueWriter writer = new AvroValueWriter();
    WriterSchema v1 = writer.schemaOf(ITEMS, V1);
    writer.needsWriting(v1);

    assertThatThrownBy(() -> writer.schemaOf(ITEMS, NAME_AS_INTEGER))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("Writing a new Avro schema version of stream items failed")
        .hasMessageContaining("cannot read records of the previous one (" + v1.fingerprintHex())
        .hasMessageContaining("in field 'name'")
        .satisfies(
            e ->
                assertThat(((AkbException) e).hint())
                    .contains("topic.prefix")
                    .contains("record.format=json"));
    // The refused version was not taken: the stream keeps writing the previous one.
    WriterSchema still = writer.schemaOf(ITEMS, V1);
    assertThat(still.fingerprint()).isEqualTo(v1.fingerprint());
    assertThat(writer.needsWriting(still)).isFalse();
  }

  @Test
  void schemasAlreadyOnTheTopicAreNeitherWrittenAgainNorForgotten() {
    WriterSchema onTopic = new AvroValueWriter().schemaOf(ITEMS, V1);
    AvroValueWriter restarted = new AvroValueWriter();
    restarted.known(onTopic);

    WriterSchema same = restarted.schemaOf(ITEMS, V1);
    assertThat(restarted.needsWriting(same)).as("already on the topic").isFalse();
    // The version read from the topic is the previous one a change is checked against.
    assertThatThrownBy(() -> restarted.schemaOf(ITEMS, NAME_AS_INTEGER))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("in field 'name'");
  }

  @Test
  void aValueIsSingleObjectEncodedWithItsSchemasFingerprintAndUnfitValuesAreNulledAsChanges()
      throws Exception {
    AvroValueWriter writer = new AvroValueWriter();
    WriterSchema schema = writer.schemaOf(ITEMS, V1);

    AvroValueWriter.Encoded encoded =
        writer.encode(schema, parse("{\"id\":7,\"name\":\"seven\",\"price\":\"not a number\"}"));

    byte[] value = encoded.value();
    assertThat(value[0]).isEqualTo((byte) 0xC3);
    assertThat(value[1]).isEqualTo((byte) 0x01);
    long fingerprint =
        ByteBuffer.wrap(Arrays.copyOfRange(value, 2, 10)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint).isEqualTo(schema.fingerprint());
    GenericRecord read =
        new BinaryMessageDecoder<GenericRecord>(GenericData.get(), schema.schema()).decode(value);
    assertThat(read.get("id")).isEqualTo(7L);
    assertThat(read.get("name").toString()).isEqualTo("seven");
    assertThat(read.get("price")).isNull();
    assertThat(encoded.changes())
        .containsExactly(
            new ValueChange("price", ValueChange.NULLED, "DESTINATION_TYPECAST_ERROR"));
  }
}
