package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A GLOBAL state: state shared by all streams plus per-stream states. Fields this code does not
 * know are kept in {@link #unknownFields()}.
 */
public record AirbyteGlobalState(
    @JsonProperty("shared_state") JsonNode sharedState,
    @JsonProperty("stream_states") List<AirbyteStreamState> streamStates,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Fields this code does not know, written back unchanged. */
  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }
}
