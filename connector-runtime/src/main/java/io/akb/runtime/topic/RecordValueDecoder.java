package io.akb.runtime.topic;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.schema.AvroRecordConverter;
import io.akb.runtime.schema.WriterSchema;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * A record topic's value as the record's JSON data, whichever form it was written in; the one
 * reader of values for every target (the bridge's caches and destinations, the Connect sink).
 *
 * <ul>
 *   <li>Schemaless JSON ({@code record.format=json} or {@code raw}): the JSON as it is.
 *   <li>JSON with schemas ({@code JsonConverter} with {@code schemas.enable=true}): an object of
 *       exactly {@code schema} (a Connect schema: an object with a {@code type}) and {@code
 *       payload} gives its payload, read back by {@link JsonEnvelope}.
 *   <li>Avro single-object encoding ({@code record.format=avro}): {@code 0xC3 0x01}, the writer
 *       schema's fingerprint (8 bytes, little-endian), the binary datum; the schema is looked up in
 *       {@link WriterSchemas}, the value given as {@link AvroRecordConverter#toJson}.
 * </ul>
 *
 * <p>The forms are told apart by the first byte ({@code 0xC3} starts no JSON text), so the JSON
 * path costs one comparison more than parsing. A fingerprint the schemas do not hold after {@link
 * WriterSchemas#catchUp} fails with an {@link AkbException} naming it and the schemas topic: a
 * record is never skipped for it. Not thread-safe.
 */
public final class RecordValueDecoder {
  /** Avro's single-object marker. */
  static final byte MAGIC_0 = (byte) 0xC3;

  static final byte MAGIC_1 = (byte) 0x01;
  private static final int HEADER_BYTES = 10;

  /**
   * Where writer schemas come from: the schemas topics of the sources a reader reads.
   *
   * <p>{@link #find} answers from what has been read; {@link #catchUp} reads what was written since
   * (to the end of the topics, waiting a while for a schema written just before its record).
   */
  public interface WriterSchemas {
    /** The schema with this fingerprint, or null when none has been read. */
    WriterSchema find(long fingerprint);

    /** Reads the schemas written since the last call. */
    void catchUp();

    /** The topics read, for messages. */
    String describe();
  }

  private final WriterSchemas schemas;
  private final Map<Long, GenericDatumReader<GenericRecord>> readers = new HashMap<>();
  private BinaryDecoder decoder;

  /**
   * @param schemas where Avro writer schemas are found; may be null for a reader of JSON only,
   *     where an Avro value then fails naming the missing schemas topic
   */
  public RecordValueDecoder(WriterSchemas schemas) {
    this.schemas = schemas;
  }

  /** Whether a value is Avro single-object encoded (by its two first bytes). */
  public static boolean isAvro(byte[] value) {
    return value.length >= 2 && value[0] == MAGIC_0 && value[1] == MAGIC_1;
  }

  /**
   * The record's JSON data of a value.
   *
   * @throws IOException when the value is neither JSON nor a readable Avro datum (the caller skips
   *     or rejects it, as for any unreadable value)
   * @throws AkbException when it is Avro of a schema no schemas topic holds
   */
  public JsonNode decode(byte[] value) throws IOException {
    if (value.length > 0 && value[0] == MAGIC_0) {
      return avro(value);
    }
    JsonNode json = AirbyteJson.MAPPER.readTree(value);
    return JsonEnvelope.isEnvelope(json) ? JsonEnvelope.payload(json) : json;
  }

  private JsonNode avro(byte[] value) throws IOException {
    if (!isAvro(value) || value.length < HEADER_BYTES) {
      throw new IOException("it starts with 0xC3 but is no Avro single-object value");
    }
    long fingerprint = 0;
    for (int i = 9; i >= 2; i--) {
      fingerprint = (fingerprint << 8) | (value[i] & 0xFF);
    }
    GenericDatumReader<GenericRecord> reader = readers.get(fingerprint);
    if (reader == null) {
      reader = new GenericDatumReader<>(schema(fingerprint).schema());
      readers.put(fingerprint, reader);
    }
    decoder =
        DecoderFactory.get()
            .binaryDecoder(value, HEADER_BYTES, value.length - HEADER_BYTES, decoder);
    try {
      return AvroRecordConverter.toJson(reader.read(null, decoder));
    } catch (IOException | RuntimeException e) {
      // A datum cut short ends in an EOFException that names no schema: say which it was read by.
      throw new IOException(
          "its Avro datum does not match schema "
              + WriterSchema.hex(fingerprint)
              + " ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  private WriterSchema schema(long fingerprint) {
    String hex = WriterSchema.hex(fingerprint);
    if (schemas == null) {
      throw new AkbException(
          "Reading an Avro record value of schema " + hex,
          "this reader has no schemas topic to look the schema up in",
          "Read the source's topics by its topic prefix, so that <prefix>_schemas is read too.");
    }
    WriterSchema schema = schemas.find(fingerprint);
    if (schema == null) {
      schemas.catchUp();
      schema = schemas.find(fingerprint);
    }
    if (schema == null) {
      throw new AkbException(
          "Reading an Avro record value of schema " + hex,
          "no schema with fingerprint " + hex + " is on " + schemas.describe(),
          "The record was written with record.format=avro by a writer whose schemas topic is"
              + " another one, or it was deleted: keep <prefix>_schemas (it is compacted, never"
              + " delete it), or reset the stream's topics.");
    }
    return schema;
  }
}
