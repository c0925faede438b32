package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A stream as chosen for a sync: sync mode, cursor, key and destination sync mode. Fields this code
 * does not know are kept in {@link #unknownFields()}.
 */
public record ConfiguredAirbyteStream(
    @JsonProperty("stream") AirbyteStream stream,
    @JsonProperty("sync_mode") SyncMode syncMode,
    @JsonProperty("cursor_field") List<String> cursorField,
    @JsonProperty("destination_sync_mode") DestinationSyncMode destinationSyncMode,
    @JsonProperty("primary_key") List<List<String>> primaryKey,
    @JsonProperty("generation_id") Long generationId,
    @JsonProperty("minimum_generation_id") Long minimumGenerationId,
    @JsonProperty("sync_id") Long syncId,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Fields this code does not know, written back unchanged. */
  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }
}
