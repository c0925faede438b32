package io.akb.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * One record as a {@link ReadableCache} holds it: the record's data (its fields, without the
 * cache's own {@code _airbyte_*} columns), the {@code meta.changes} the source reported, and its
 * {@link Position} in the stream's order.
 *
 * @param position where the record sits in the stream's order
 * @param data the record's fields
 * @param changes the record's {@code meta.changes}, or null when there were none
 */
public record CachedRecord(Position position, JsonNode data, JsonNode changes) {

  public CachedRecord {
    Objects.requireNonNull(position, "position");
    Objects.requireNonNull(data, "data");
  }

  /**
   * A record's place in a cache stream's order: its {@code _airbyte_extracted_at}, then its {@code
   * _airbyte_raw_id} to order records extracted in the same microsecond. A write from a cache
   * remembers the position of the last record a destination confirmed, and the next write sends
   * only the records after it.
   *
   * @param extractedAt when the record was extracted (microsecond precision, as the cache keeps it)
   * @param rawId the record's id in the cache
   */
  public record Position(Instant extractedAt, String rawId) implements Comparable<Position> {
    private static final Comparator<Position> ORDER =
        Comparator.comparing(Position::extractedAt).thenComparing(Position::rawId);

    public Position {
      Objects.requireNonNull(extractedAt, "extractedAt");
      Objects.requireNonNull(rawId, "rawId");
    }

    @Override
    public int compareTo(Position other) {
      return ORDER.compare(this, other);
    }
  }
}
