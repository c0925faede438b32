package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A RECORD: one row of a stream. Fields this code does not know are kept in {@link
 * #unknownFields()}.
 */
public record AirbyteRecordMessage(
    @JsonProperty("namespace") String namespace,
    @JsonProperty("stream") String stream,
    @JsonProperty("data") JsonNode data,
    @JsonProperty("emitted_at") Long emittedAt,
    @JsonProperty("meta") JsonNode meta,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Fields this code does not know, written back unchanged. */
  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }

  public AirbyteRecordMessage(String namespace, String stream, JsonNode data, long emittedAt) {
    this(namespace, stream, data, emittedAt, null, null);
  }

  /** The record's {@code meta.changes}, or null when the connector reported none. */
  public JsonNode changes() {
    JsonNode changes = meta == null ? null : meta.get("changes");
    return changes == null || changes.isNull() ? null : changes;
  }
}
