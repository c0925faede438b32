package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A STATE: a checkpoint the connector can resume from. Unknown fields are kept so it round-trips.
 * Fields this code does not know are kept in {@link #unknownFields()}.
 */
public record AirbyteStateMessage(
    @JsonProperty("type") AirbyteStateType type,
    @JsonProperty("stream") AirbyteStreamState stream,
    @JsonProperty("global") AirbyteGlobalState global,
    @JsonProperty("data") JsonNode data,
    @JsonProperty("sourceStats") JsonNode sourceStats,
    @JsonProperty("destinationStats") JsonNode destinationStats,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Fields this code does not know, written back unchanged. */
  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }

  /** The state's type, LEGACY when a connector sends only {@code data}. */
  public AirbyteStateType effectiveType() {
    return type == null ? AirbyteStateType.LEGACY : type;
  }
}
