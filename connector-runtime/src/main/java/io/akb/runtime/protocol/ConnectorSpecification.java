package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A SPEC: the connector's config JSON schema and capabilities. Fields this code does not know are
 * kept in {@link #unknownFields()}.
 */
public record ConnectorSpecification(
    @JsonProperty("documentationUrl") String documentationUrl,
    @JsonProperty("changelogUrl") String changelogUrl,
    @JsonProperty("connectionSpecification") JsonNode connectionSpecification,
    @JsonProperty("supportsIncremental") Boolean supportsIncremental,
    @JsonProperty("supportsNormalization") Boolean supportsNormalization,
    @JsonProperty("supportsDBT") Boolean supportsDbt,
    @JsonProperty("supported_destination_sync_modes") List<String> supportedDestinationSyncModes,
    @JsonProperty("advanced_auth") JsonNode advancedAuth,
    @JsonProperty("protocol_version") String protocolVersion,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Fields this code does not know, written back unchanged. */
  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }
}
