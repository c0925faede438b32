package io.akb.runtime.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.StreamDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * Record values in Avro single-object encoding ({@code record.format=avro}): {@code 0xC3 0x01}, the
 * writer schema's 8-byte fingerprint, the binary datum, as Avro's {@link BinaryMessageEncoder}
 * writes them. The schemas live on the schemas topic as {@link WriterSchema}s; this class says
 * which one to write there and when.
 *
 * <p>Contract, for one writer of one source (a task), across its syncs:
 *
 * <ul>
 *   <li>{@link #schemaOf} gives a stream's writer schema for its JSON schema, converted by {@link
 *       AvroSchemaConverter}. A stream whose JSON schema changed gets a new version, which must
 *       read the records of the one before (Avro's rules, as a registry's BACKWARD check: a field
 *       added or removed, {@code long} to {@code double}); one that cannot fails naming the change.
 *   <li>{@link #needsWriting} is true once for each version that became a stream's latest and is
 *       not known to be on the schemas topic: the caller writes {@link WriterSchema#toJsonBytes}
 *       there before the first record that uses it.
 *   <li>{@link #encode} gives a record's bytes and the changes made on the way (values nulled), for
 *       the record's {@code airbyte.meta} header.
 * </ul>
 *
 * <p>{@link #known} seeds it with what the schemas topic already holds, so a restarted task neither
 * writes those again nor forgets the previous version of a stream. Not thread-safe.
 */
public final class AvroValueWriter {
  private final Map<StreamDescriptor, WriterSchema> latest = new HashMap<>();
  private final Map<Long, WriterSchema> byFingerprint = new HashMap<>();
  private final Set<Long> onTopic = new HashSet<>();
  private final Map<Long, BinaryMessageEncoder<GenericRecord>> encoders = new HashMap<>();
  private final Map<StreamDescriptor, JsonSchemaSeen> converted = new HashMap<>();

  /** The last JSON schema converted for a stream, so an unchanged one is not converted again. */
  private record JsonSchemaSeen(JsonNode jsonSchema, WriterSchema schema) {}

  /** A record's value. */
  public record Encoded(byte[] value, List<ValueChange> changes) {}

  /**
   * A schema read from the schemas topic, in topic order: it counts as written, and the last one of
   * each stream as that stream's latest version.
   */
  public void known(WriterSchema schema) {
    byFingerprint.put(schema.fingerprint(), schema);
    onTopic.add(schema.fingerprint());
    latest.put(schema.stream(), schema);
  }

  /**
   * The writer schema of a stream with this JSON schema.
   *
   * @throws AkbException when it is a new version that cannot read the previous one's records, or
   *     one Avro's fingerprint cannot tell from another schema of the topic
   */
  public WriterSchema schemaOf(StreamDescriptor stream, JsonNode jsonSchema) {
    JsonSchemaSeen seen = converted.get(stream);
    if (seen != null && seen.jsonSchema().equals(jsonSchema)) {
      return seen.schema();
    }
    AvroStreamSchema avro =
        AvroSchemaConverter.convert(stream.namespace(), stream.name(), jsonSchema);
    WriterSchema schema = WriterSchema.of(stream, avro.schema());
    WriterSchema sameFingerprint = byFingerprint.get(schema.fingerprint());
    if (sameFingerprint != null && !sameFingerprint.schema().equals(schema.schema())) {
      // Logical types and properties are outside the fingerprint: readers could not tell them
      // apart.
      throw incompatible(
          stream,
          "its new Avro schema differs from one on the schemas topic ("
              + schema.fingerprintHex()
              + ") only in logical types or field properties, which the fingerprint does not cover");
    }
    WriterSchema previous = latest.get(stream);
    if (previous != null && previous.fingerprint() != schema.fingerprint()) {
      SchemaCompatibility.SchemaPairCompatibility check =
          SchemaCompatibility.checkReaderWriterCompatibility(schema.schema(), previous.schema());
      if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
        throw incompatible(
            stream,
            "its new Avro schema ("
                + schema.fingerprintHex()
                + ") cannot read records of the previous one ("
                + previous.fingerprintHex()
                + "): "
                + check.getResult().getIncompatibilities().stream()
                    .map(i -> i.getMessage() + " in field " + field(previous, i.getLocation()))
                    .collect(Collectors.joining("; ")));
      }
    }
    if (previous == null || previous.fingerprint() != schema.fingerprint()) {
      // A version that becomes the latest again is written again: the topic's last one is current.
      onTopic.remove(schema.fingerprint());
    }
    latest.put(stream, schema);
    byFingerprint.put(schema.fingerprint(), schema);
    converted.put(stream, new JsonSchemaSeen(jsonSchema, schema));
    return schema;
  }

  /** Whether the caller must write this schema to the schemas topic now; true once per version. */
  public boolean needsWriting(WriterSchema schema) {
    return onTopic.add(schema.fingerprint());
  }

  /** A record's data as a single-object encoded value of {@code schema}. */
  public Encoded encode(WriterSchema schema, JsonNode data) {
    AvroRecordConverter.Converted converted = AvroRecordConverter.toAvro(schema.schema(), data);
    BinaryMessageEncoder<GenericRecord> encoder =
        encoders.computeIfAbsent(
            schema.fingerprint(),
            f -> new BinaryMessageEncoder<>(GenericData.get(), schema.schema()));
    try {
      ByteBuffer buffer = encoder.encode(converted.record());
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return new Encoded(bytes, converted.changes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The dotted JSON field path of a location such as {@code /fields/1/type/1} in {@code schema}
   * (Avro's {@code SchemaCompatibility} names fields by position), or the location as it is.
   */
  static String field(WriterSchema schema, String location) {
    try {
      org.apache.avro.Schema current = schema.schema();
      StringBuilder path = new StringBuilder();
      String[] parts = location.split("/");
      for (int i = 0; i < parts.length; i++) {
        if (current.getType() == org.apache.avro.Schema.Type.UNION && parts[i].matches("\\d+")) {
          current = current.getTypes().get(Integer.parseInt(parts[i]));
        } else if (parts[i].equals("fields") && i + 1 < parts.length) {
          org.apache.avro.Schema.Field field =
              current.getFields().get(Integer.parseInt(parts[++i]));
          String name = field.getProp(AvroSchemaConverter.NAME_PROP);
          path.append(path.length() == 0 ? "" : ".").append(name == null ? field.name() : name);
          current = field.schema();
        } else if (parts[i].equals("items")) {
          current = current.getElementType();
        } else if (parts[i].equals("values")) {
          current = current.getValueType();
        }
      }
      return path.length() == 0 ? location : "'" + path + "'";
    } catch (RuntimeException e) {
      return location;
    }
  }

  private static AkbException incompatible(StreamDescriptor stream, String why) {
    return new AkbException(
        "Writing a new Avro schema version of stream " + stream.qualifiedName(),
        why,
        "Undo the change in the source, or give the stream fresh topics: a new topic.prefix (or"
            + " delete its record topic and the schemas topic) and a reset of its caches; or use"
            + " record.format=json, which has no schema versions.");
  }
}
