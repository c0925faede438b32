package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A stream a source offers: its JSON schema, sync modes, cursor and key. Fields this code does not
 * know are kept in {@link #unknownFields()}.
 */
public record AirbyteStream(
    @JsonProperty("name") String name,
    @JsonProperty("json_schema") JsonNode jsonSchema,
    @JsonProperty("supported_sync_modes") List<SyncMode> supportedSyncModes,
    @JsonProperty("source_defined_cursor") Boolean sourceDefinedCursor,
    @JsonProperty("default_cursor_field") List<String> defaultCursorField,
    @JsonProperty("source_defined_primary_key") List<List<String>> sourceDefinedPrimaryKey,
    @JsonProperty("namespace") String namespace,
    @JsonProperty("is_resumable") Boolean isResumable,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Fields this code does not know, written back unchanged. */
  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }

  public StreamDescriptor descriptor() {
    return new StreamDescriptor(name, namespace);
  }
}
