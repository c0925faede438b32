package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A TRACE: error, estimate, stream status or analytics. Fields this code does not know are kept in
 * {@link #unknownFields()}.
 */
public record AirbyteTraceMessage(
    @JsonProperty("type") TraceType type,
    @JsonProperty("emitted_at") Double emittedAt,
    @JsonProperty("error") AirbyteErrorTraceMessage error,
    @JsonProperty("estimate") AirbyteEstimateTraceMessage estimate,
    @JsonProperty("stream_status") AirbyteStreamStatusTraceMessage streamStatus,
    @JsonProperty("analytics") AirbyteAnalyticsTraceMessage analytics,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Fields this code does not know, written back unchanged. */
  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }

  /** Trace kinds of the protocol; UNKNOWN for a kind newer than this code. */
  public enum TraceType {
    ERROR,
    ESTIMATE,
    STREAM_STATUS,
    ANALYTICS,
    @com.fasterxml.jackson.annotation.JsonEnumDefaultValue
    UNKNOWN
  }
}
