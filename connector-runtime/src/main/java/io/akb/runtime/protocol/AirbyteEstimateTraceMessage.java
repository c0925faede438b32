package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A TRACE ESTIMATE: how many rows or bytes a stream is expected to have. Fields this code does not
 * know are kept in {@link #unknownFields()}.
 */
public record AirbyteEstimateTraceMessage(
    @JsonProperty("name") String name,
    @JsonProperty("type") String type,
    @JsonProperty("namespace") String namespace,
    @JsonProperty("row_estimate") Long rowEstimate,
    @JsonProperty("byte_estimate") Long byteEstimate,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Fields this code does not know, written back unchanged. */
  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }
}
