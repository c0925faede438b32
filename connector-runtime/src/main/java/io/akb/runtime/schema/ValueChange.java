package io.akb.runtime.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;

/**
 * A change made to a record's value on its way into a typed format, in Airbyte's terms, for the
 * record's {@code _airbyte_meta.changes}: a value that does not fit its declared type is nulled
 * ({@code NULLED}, {@code DESTINATION_TYPECAST_ERROR}); a timestamp's digits beyond microseconds
 * are cut ({@code TRUNCATED}, {@code DESTINATION_FIELD_SIZE_LIMITATION}).
 *
 * @param field the value's path in the record's JSON: names joined by {@code .}, array positions as
 *     {@code [i]} ({@code address.lines[2]})
 * @param change {@code NULLED} or {@code TRUNCATED}
 * @param reason Airbyte's reason
 */
public record ValueChange(String field, String change, String reason) {
  /** Airbyte's change for a nulled value. */
  public static final String NULLED = "NULLED";

  /** Airbyte's change for a shortened value. */
  public static final String TRUNCATED = "TRUNCATED";

  /** A value of the wrong type for its field, nulled. */
  static ValueChange typecast(String field) {
    return new ValueChange(field, NULLED, "DESTINATION_TYPECAST_ERROR");
  }

  /** A value cut to what its type holds. */
  static ValueChange truncated(String field) {
    return new ValueChange(field, TRUNCATED, "DESTINATION_FIELD_SIZE_LIMITATION");
  }

  /** The change as an entry of {@code _airbyte_meta.changes}. */
  public ObjectNode toJson() {
    return AirbyteJson.MAPPER
        .createObjectNode()
        .put("field", field)
        .put("change", change)
        .put("reason", reason);
  }
}
