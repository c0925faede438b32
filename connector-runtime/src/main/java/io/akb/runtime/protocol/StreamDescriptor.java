package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Names a stream: its name and optional namespace. Fields this code does not know are kept in
 * {@link #unknownFields()}.
 */
public record StreamDescriptor(
    @JsonProperty("name") String name,
    @JsonProperty("namespace") String namespace,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Fields this code does not know, written back unchanged. */
  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }

  public StreamDescriptor(String name, String namespace) {
    this(name, namespace, null);
  }

  /** {@code namespace.name}, or the name alone when there is no namespace. */
  public String qualifiedName() {
    return namespace == null || namespace.isEmpty() ? name : namespace + "." + name;
  }
}
