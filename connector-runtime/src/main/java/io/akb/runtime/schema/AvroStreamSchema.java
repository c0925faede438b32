package io.akb.runtime.schema;

import java.util.List;
import org.apache.avro.Schema;

/**
 * A stream's Avro schema and what its conversion decided.
 *
 * @param schema the Avro record schema, self-describing: {@link AvroRecordConverter} reads values
 *     into it and back from it (or from a registry's copy of it) with no other input
 * @param typed the typed reading of the stream's JSON schema it was made from
 * @param jsonFields every place whose values travel as JSON text, with why: what a writer records
 *     once per stream (its catalog, its registry schema) so that a reader knows those strings hold
 *     JSON; the Avro schema itself marks each with {@link AvroSchemaConverter#JSON_PROP}
 */
public record AvroStreamSchema(Schema schema, TypedSchema typed, List<JsonField> jsonFields) {

  /**
   * A place in a record whose values are JSON text.
   *
   * @param path the JSON path of the field ({@code a.b}; {@code []} for an array's items, {@code
   *     {}} for a map's values)
   * @param reason why its schema could not be typed
   */
  public record JsonField(String path, TypedSchema.JsonReason reason) {}
}
