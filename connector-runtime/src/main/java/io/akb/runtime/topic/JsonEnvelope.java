package io.akb.runtime.topic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.schema.AvroSchemaConverter;
import io.akb.runtime.schema.TypedSchema;
import java.util.Iterator;
import java.util.Map;

/**
 * A value of Connect's {@code JsonConverter} with {@code schemas.enable=true}, {@code
 * {"schema":…,"payload":…}}, read back into the record's JSON data.
 *
 * <p>The payload of AKB's own {@code record.format=struct} carries legal Avro field names and JSON
 * text for what cannot be typed; its schema's parameters ({@value AvroSchemaConverter#NAME_PROP},
 * {@value AvroSchemaConverter#JSON_PROP}) say so, and are undone here: the JSON names come back,
 * JSON text is parsed, undeclared fields are merged in and null fields left out, as {@link
 * io.akb.runtime.schema.AvroRecordConverter#toJson} does. Any other payload is taken as it is.
 */
final class JsonEnvelope {
  private JsonEnvelope() {}

  /** Whether a value is exactly {@code schema} (a Connect schema) and {@code payload}. */
  static boolean isEnvelope(JsonNode value) {
    return value.size() == 2
        && value.isObject()
        && value.has("payload")
        && value.path("schema").path("type").isTextual();
  }

  /** The record's data of an envelope. */
  static JsonNode payload(JsonNode envelope) {
    return value(envelope.get("schema"), envelope.get("payload"));
  }

  private static JsonNode value(JsonNode schema, JsonNode value) {
    if (value == null || value.isNull()) {
      return value;
    }
    JsonNode parameters = schema.path("parameters");
    if (value.isTextual() && parameters.has(AvroSchemaConverter.JSON_PROP)) {
      try {
        return AirbyteJson.parse(value.asText());
      } catch (JsonProcessingException e) {
        return value; // not AKB's JSON text after all: keep what was sent
      }
    }
    switch (schema.path("type").asText()) {
      case "struct":
        return value.isObject() ? struct(schema, (ObjectNode) value) : value;
      case "array":
        if (!value.isArray()) {
          return value;
        }
        ArrayNode items = AirbyteJson.MAPPER.createArrayNode();
        value.forEach(item -> items.add(value(schema.path("items"), item)));
        return items;
      case "map":
        if (!value.isObject()) {
          return value;
        }
        ObjectNode map = AirbyteJson.MAPPER.createObjectNode();
        value
            .fields()
            .forEachRemaining(e -> map.set(e.getKey(), value(schema.path("values"), e.getValue())));
        return map;
      default:
        return value;
    }
  }

  private static JsonNode struct(JsonNode schema, ObjectNode value) {
    ObjectNode record = AirbyteJson.MAPPER.createObjectNode();
    JsonNode undeclared = null;
    for (JsonNode field : schema.path("fields")) {
      String name = field.path("field").asText();
      JsonNode child = value.get(name);
      if (child == null || child.isNull()) {
        continue;
      }
      JsonNode parameters = field.path("parameters");
      if (name.equals(TypedSchema.ADDITIONAL_PROPERTIES)
          && AvroSchemaConverter.ADDITIONAL_PROPERTIES_REASON.equals(
              parameters.path(AvroSchemaConverter.JSON_PROP).asText(null))) {
        undeclared = value(field, child);
        continue;
      }
      String jsonName = parameters.path(AvroSchemaConverter.NAME_PROP).asText(name);
      record.set(jsonName, value(field, child));
    }
    if (undeclared != null && undeclared.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = undeclared.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        if (!record.has(entry.getKey())) {
          record.set(entry.getKey(), entry.getValue());
        }
      }
    }
    return record;
  }
}
