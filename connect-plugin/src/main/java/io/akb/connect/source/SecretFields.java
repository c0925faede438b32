package io.akb.connect.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fields of a connector config that its spec marks {@code airbyte_secret}, named by their
 * dotted path ({@code credentials.api_key}). A secret inside a {@code oneOf} branch has the same
 * path whichever branch the user picks. Masking secret values is the runtime's {@code
 * SecretMasker}; this class only knows where secrets sit, to name the option a problem belongs to.
 */
final class SecretFields {
  private SecretFields() {}

  /** Dotted paths of every secret field in a spec's {@code connectionSpecification}. */
  static Set<String> in(JsonNode connectionSpecification) {
    Set<String> paths = new TreeSet<>();
    collect(connectionSpecification, "", paths);
    return paths;
  }

  private static void collect(JsonNode schema, String prefix, Set<String> paths) {
    if (schema == null || !schema.isObject()) {
      return;
    }
    JsonNode properties = schema.get("properties");
    if (properties != null && properties.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> property = it.next();
        String path = prefix + property.getKey();
        if (property.getValue().path("airbyte_secret").asBoolean(false)) {
          paths.add(path);
        }
        collect(property.getValue(), path + ".", paths);
      }
    }
    for (String combinator : List.of("oneOf", "anyOf", "allOf")) {
      JsonNode branches = schema.get(combinator);
      if (branches != null && branches.isArray()) {
        branches.forEach(branch -> collect(branch, prefix, paths));
      }
    }
  }

  /** Puts a value at a dotted path, creating the objects on the way. */
  static void put(ObjectNode config, String path, String value) {
    String[] names = path.split("\\.");
    ObjectNode parent = config;
    for (int i = 0; i < names.length - 1; i++) {
      JsonNode child = parent.get(names[i]);
      parent = child instanceof ObjectNode object ? object : parent.putObject(names[i]);
    }
    parent.put(names[names.length - 1], value);
  }

  /** The value at a dotted path, or a missing node. */
  static JsonNode get(JsonNode config, String path) {
    JsonNode node = config;
    for (String name : path.split("\\.")) {
      node = node.path(name);
    }
    return node;
  }
}
