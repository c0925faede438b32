package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A TRACE ERROR: the connector's own account of why it failed. Fields this code does not know are
 * kept in {@link #unknownFields()}.
 */
public record AirbyteErrorTraceMessage(
    @JsonProperty("message") String message,
    @JsonProperty("internal_message") String internalMessage,
    @JsonProperty("stack_trace") String stackTrace,
    @JsonProperty("failure_type") String failureType,
    @JsonProperty("stream_descriptor") StreamDescriptor streamDescriptor,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Fields this code does not know, written back unchanged. */
  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }
}
