package io.akb.cache.jdbc;

/**
 * A value the database stores only with a change, such as a PostgreSQL text without its NUL
 * characters: {@code value} is what the bulk load takes, and the writer records the change in the
 * row's {@code _airbyte_meta.changes} in Airbyte's format ({@code {"field": ..., "change":
 * "TRUNCATED", "reason": "DESTINATION_SERIALIZATION_ERROR"}}), so it is never silent.
 *
 * @param value what {@link SqlDialect#bulkLoad} takes
 * @param change Airbyte's change: {@code NULLED} or {@code TRUNCATED}
 * @param reason Airbyte's reason, such as {@code DESTINATION_SERIALIZATION_ERROR}
 */
public record ChangedValue(Object value, String change, String reason) {
  /** The value with characters the database cannot store removed. */
  public static ChangedValue truncated(Object value) {
    return new ChangedValue(value, "TRUNCATED", "DESTINATION_SERIALIZATION_ERROR");
  }
}
