package io.akb.cache;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A record as the cache stores it: {@code rawId} becomes {@code _airbyte_raw_id} (unique per
 * record, stable across replays so a replay never doubles a row), {@code emittedAt} in epoch
 * milliseconds becomes {@code _airbyte_extracted_at}, {@code changes} is the record's {@code
 * meta.changes} (null when none) kept in {@code _airbyte_meta}.
 */
public record CacheRecord(
    String rawId, String syncId, JsonNode data, long emittedAt, JsonNode changes) {}
