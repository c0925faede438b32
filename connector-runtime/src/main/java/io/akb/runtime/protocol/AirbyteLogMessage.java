package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A LOG line of the connector. Fields this code does not know are kept in {@link #unknownFields()}.
 */
public record AirbyteLogMessage(
    @JsonProperty("level") Level level,
    @JsonProperty("message") String message,
    @JsonProperty("stack_trace") String stackTrace,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Fields this code does not know, written back unchanged. */
  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }

  public AirbyteLogMessage(Level level, String message) {
    this(level, message, null, null);
  }

  /** Log levels of the protocol. */
  public enum Level {
    FATAL,
    ERROR,
    WARN,
    INFO,
    DEBUG,
    TRACE
  }
}
