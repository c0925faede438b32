package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One line of the Airbyte protocol. Exactly one payload field matches {@link #type()}; fields this
 * code does not know are kept in {@link #unknownFields()} so a message round-trips.
 */
public record AirbyteMessage(
    @JsonProperty("type") Type type,
    @JsonProperty("record") AirbyteRecordMessage record,
    @JsonProperty("state") AirbyteStateMessage state,
    @JsonProperty("log") AirbyteLogMessage log,
    @JsonProperty("trace") AirbyteTraceMessage trace,
    @JsonProperty("control") AirbyteControlMessage control,
    @JsonProperty("spec") ConnectorSpecification spec,
    @JsonProperty("catalog") AirbyteCatalog catalog,
    @JsonProperty("connectionStatus") AirbyteConnectionStatus connectionStatus,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Message types of the protocol; UNKNOWN for a type newer than this code. */
  public enum Type {
    RECORD,
    STATE,
    LOG,
    TRACE,
    CONTROL,
    SPEC,
    CATALOG,
    CONNECTION_STATUS,
    @JsonEnumDefaultValue
    UNKNOWN
  }

  /** Fields this code does not know, written back unchanged. */
  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }

  public static AirbyteMessage of(AirbyteRecordMessage record) {
    return new AirbyteMessage(Type.RECORD, record, null, null, null, null, null, null, null, null);
  }

  public static AirbyteMessage of(AirbyteStateMessage state) {
    return new AirbyteMessage(Type.STATE, null, state, null, null, null, null, null, null, null);
  }

  public static AirbyteMessage of(AirbyteLogMessage log) {
    return new AirbyteMessage(Type.LOG, null, null, log, null, null, null, null, null, null);
  }

  public static AirbyteMessage of(AirbyteTraceMessage trace) {
    return new AirbyteMessage(Type.TRACE, null, null, null, trace, null, null, null, null, null);
  }

  public static AirbyteMessage of(AirbyteControlMessage control) {
    return new AirbyteMessage(
        Type.CONTROL, null, null, null, null, control, null, null, null, null);
  }

  /** A LOG message at INFO level: what a non-protocol output line becomes. */
  public static AirbyteMessage logLine(AirbyteLogMessage.Level level, String text) {
    return of(new AirbyteLogMessage(level, text));
  }
}
