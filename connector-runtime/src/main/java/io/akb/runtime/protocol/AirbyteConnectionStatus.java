package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A CONNECTION_STATUS: the answer to {@code check}. Fields this code does not know are kept in
 * {@link #unknownFields()}.
 */
public record AirbyteConnectionStatus(
    @JsonProperty("status") Status status,
    @JsonProperty("message") String message,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Fields this code does not know, written back unchanged. */
  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }

  /** Outcome of a check. */
  public enum Status {
    SUCCEEDED,
    FAILED
  }
}
