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

  /** A schema registry's framing: this byte, then the writer schema's 8-byte global id. */
  static final byte REGISTRY_MAGIC = 0;

  private static final int REGISTRY_HEADER_BYTES = 9;

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
  private final RegistrySchemas registry;
  private final Map<Long, GenericDatumReader<GenericRecord>> readers = new HashMap<>();
  private final Map<Long, GenericDatumReader<Object>> registryReaders = new HashMap<>();
  private BinaryDecoder decoder;

  /**
   * @param schemas where Avro writer schemas are found; may be null for a reader of JSON only,
   *     where an Avro value then fails naming the missing schemas topic
   */
  public RecordValueDecoder(WriterSchemas schemas) {
    this(schemas, null);
  }

  /**
   * @param schemas as above
   * @param registry where the writer schemas of registry-framed values are fetched; null (or one
   *     without a URL) fails such a value naming the setting to set
   */
  public RecordValueDecoder(WriterSchemas schemas, RegistrySchemas registry) {
    this.schemas = schemas;
    this.registry = registry;
  }

  /** Whether a value is registry-framed: magic byte 0 (which starts no JSON text) and an id. */
  public static boolean isRegistryFramed(byte[] value) {
    return value.length >= REGISTRY_HEADER_BYTES && value[0] == REGISTRY_MAGIC;
  }

  /**
   * A state-topic value as its event, read as any record value is (so a registry-framed event gives
   * the same event as its JSON); null when it is no event (other writers, tombstones).
   *
   * @throws AkbException when it is framed by a registry that cannot give its schema
   */
  public StateEvent decodeEvent(byte[] value) {
    if (value == null) {
      return null;
    }
    try {
      return AirbyteJson.MAPPER.treeToValue(decode(value), StateEvent.class);
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
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
    if (value.length > 0 && value[0] == REGISTRY_MAGIC) {
      return registryFramed(value);
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

  private JsonNode registryFramed(byte[] value) throws IOException {
    if (!isRegistryFramed(value)) {
      throw new IOException("it starts with byte 0 but is too short for a schema registry's id");
    }
    long id = 0;
    for (int i = 1; i < REGISTRY_HEADER_BYTES; i++) {
      id = (id << 8) | (value[i] & 0xFF);
    }
    GenericDatumReader<Object> reader = registryReaders.get(id);
    if (reader == null) {
      RegistrySchemas from = registry == null ? new RegistrySchemas(null, SETTING) : registry;
      reader = new GenericDatumReader<>(from.schema(id));
      registryReaders.put(id, reader);
    }
    decoder =
        DecoderFactory.get()
            .binaryDecoder(
                value, REGISTRY_HEADER_BYTES, value.length - REGISTRY_HEADER_BYTES, decoder);
    Object datum;
    try {
      datum = reader.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          "its Avro datum does not match the registry's schema of global id "
              + id
              + " ("
              + e.getMessage()
              + ")",
          e);
    }
    JsonNode json = RegistryAvroJson.toJson(reader.getSchema(), datum);
    // A string value (a state event, a record sent as text) is the JSON text the JSON path reads.
    if (json.isTextual()) {
      JsonNode parsed = AirbyteJson.MAPPER.readTree(json.textValue());
      return JsonEnvelope.isEnvelope(parsed) ? JsonEnvelope.payload(parsed) : parsed;
    }
    return json;
  }

  /**
   * What a reader without a registry names: the bridge has the setting; the Connect sink reads
   * registry-framed topics through the registry's converter, not as bytes.
   */
  static final String SETTING =
      "a schema registry URL for this reader (the bridge: akb.targets.<name>.schema-registry-url;"
          + " the Connect sink: value.converter=io.apicurio.registry.utils.converter.AvroConverter"
          + " with its apicurio.registry.url)";

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
