package io.akb.runtime.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonTokenId;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;

/**
 * Reads JSON trees as Jackson's own tree reader does, except that a number with a fraction or an
 * exponent becomes a {@link SourceNumberNode}: its exact decimal value plus the text the source
 * wrote, so records, schemas and states are written back with the source's own number text. The
 * parser's nesting limit bounds the recursion.
 */
final class SourceTreeDeserializer extends StdDeserializer<JsonNode> {
  private static final long serialVersionUID = 1L;

  SourceTreeDeserializer() {
    super(JsonNode.class);
  }

  @Override
  public JsonNode deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonNodeFactory nodes = ctxt.getNodeFactory();
    switch (p.currentTokenId()) {
      case JsonTokenId.ID_FIELD_NAME:
        // Called inside an object whose start someone else consumed: read the rest of it.
        return readFields(p, ctxt, nodes, nodes.objectNode(), p.currentName());
      case JsonTokenId.ID_END_OBJECT:
        return nodes.objectNode();
      default:
        return read(p, ctxt, nodes);
    }
  }

  private JsonNode read(JsonParser p, DeserializationContext ctxt, JsonNodeFactory nodes)
      throws IOException {
    switch (p.currentTokenId()) {
      case JsonTokenId.ID_START_OBJECT:
        return readFields(p, ctxt, nodes, nodes.objectNode(), p.nextFieldName());
      case JsonTokenId.ID_START_ARRAY:
        ArrayNode array = nodes.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          array.add(read(p, ctxt, nodes));
        }
        return array;
      case JsonTokenId.ID_STRING:
        return nodes.textNode(p.getText());
      case JsonTokenId.ID_NUMBER_INT:
        switch (p.getNumberType()) {
          case INT:
            return nodes.numberNode(p.getIntValue());
          case LONG:
            return nodes.numberNode(p.getLongValue());
          default:
            return nodes.numberNode(p.getBigIntegerValue());
        }
      case JsonTokenId.ID_NUMBER_FLOAT:
        if (p.isNaN()) {
          return nodes.numberNode(p.getDoubleValue()); // NaN and infinities have no decimal
        }
        return new SourceNumberNode(p.getText(), p.getDecimalValue());
      case JsonTokenId.ID_TRUE:
        return nodes.booleanNode(true);
      case JsonTokenId.ID_FALSE:
        return nodes.booleanNode(false);
      case JsonTokenId.ID_NULL:
        return nodes.nullNode();
      case JsonTokenId.ID_EMBEDDED_OBJECT:
        return embedded(p.getEmbeddedObject(), nodes);
      default:
        return (JsonNode) ctxt.handleUnexpectedToken(JsonNode.class, p);
    }
  }

  /** The fields from {@code name} on to the end of the object; a repeated name keeps its last. */
  private ObjectNode readFields(
      JsonParser p,
      DeserializationContext ctxt,
      JsonNodeFactory nodes,
      ObjectNode object,
      String name)
      throws IOException {
    for (String field = name; field != null; field = p.nextFieldName()) {
      p.nextToken();
      object.replace(field, read(p, ctxt, nodes));
    }
    return object;
  }

  private static JsonNode embedded(Object value, JsonNodeFactory nodes) {
    if (value == null) {
      return nodes.nullNode();
    }
    if (value instanceof byte[] bytes) {
      return nodes.binaryNode(bytes);
    }
    if (value instanceof JsonNode node) {
      return node;
    }
    if (value instanceof RawValue raw) {
      return nodes.rawValueNode(raw);
    }
    return nodes.pojoNode(value);
  }

  /** JSON null is a {@code NullNode}, as with Jackson's own tree reader; an absent value null. */
  @Override
  public JsonNode getNullValue(DeserializationContext ctxt) {
    return NullNode.getInstance();
  }

  @Override
  public Object getAbsentValue(DeserializationContext ctxt) {
    return null;
  }

  @Override
  public boolean isCachable() {
    return true;
  }

  @Override
  public LogicalType logicalType() {
    return LogicalType.Untyped;
  }
}
