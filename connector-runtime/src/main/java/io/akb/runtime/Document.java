package io.akb.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A record rendered as a text document for LLM pipelines, as PyAirbyte's {@code Document}.
 *
 * @param id the record's primary key values joined by {@code -}, else a random UUID
 * @param content Markdown: a YAML-like metadata header between {@code ---} lines (when rendered),
 *     the title as {@code # title}, then each content property as {@code ## Name} and its value
 * @param metadata the metadata properties and their values
 * @param lastModified when the connector emitted the record (from a cache: its {@code
 *     _airbyte_extracted_at}), or null
 */
public record Document(
    String id, String content, Map<String, JsonNode> metadata, Instant lastModified) {

  /**
   * Renders a record with its metadata as a header, as {@link Source#getDocuments} does.
   *
   * @param primaryKey the stream's key, as field paths
   * @param titleProperty the property that titles the document, or null
   * @param contentProperties properties rendered as the body; null: every property
   * @param metadataProperties properties put in the metadata; null: every property not in the body
   */
  public static Document fromRecord(
      AirbyteRecordMessage record,
      List<List<String>> primaryKey,
      String titleProperty,
      List<String> contentProperties,
      List<String> metadataProperties) {
    Instant lastModified =
        record.emittedAt() == null ? null : Instant.ofEpochMilli(record.emittedAt());
    return fromData(
        record.data(),
        lastModified,
        primaryKey,
        titleProperty,
        contentProperties,
        metadataProperties,
        true);
  }

  /**
   * Renders a record's fields, PyAirbyte's {@code to_documents}.
   *
   * @param data the record's fields
   * @param lastModified when the record was extracted, or null
   * @param primaryKey the stream's key, as field paths
   * @param titleProperty the property that titles the document, or null
   * @param contentProperties properties rendered as the body; null: every property
   * @param metadataProperties properties put in the metadata; null: every property not in the body
   * @param renderMetadata whether the metadata also heads the content; either way it is in {@link
   *     #metadata()}
   */
  public static Document fromData(
      JsonNode data,
      Instant lastModified,
      List<List<String>> primaryKey,
      String titleProperty,
      List<String> contentProperties,
      List<String> metadataProperties,
      boolean renderMetadata) {
    List<String> fields = new ArrayList<>();
    data.fieldNames().forEachRemaining(fields::add);
    List<String> body = contentProperties == null ? fields : contentProperties;
    List<String> metadataNames =
        metadataProperties != null
            ? metadataProperties
            : fields.stream().filter(f -> !body.contains(f) && !f.equals(titleProperty)).toList();

    Map<String, JsonNode> metadata = new LinkedHashMap<>();
    metadataNames.forEach(
        property -> {
          if (data.has(property)) {
            metadata.put(property, data.get(property));
          }
        });

    StringBuilder text = new StringBuilder();
    if (renderMetadata && !metadata.isEmpty()) {
      text.append("---\n");
      metadata.forEach(
          (key, value) -> text.append(key).append(": ").append(asText(value)).append('\n'));
      text.append("---\n");
    }
    if (titleProperty != null && data.has(titleProperty)) {
      text.append("# ").append(asText(data.get(titleProperty))).append("\n\n");
    }
    if (body.size() == 1 && contentProperties != null) {
      text.append(asText(data.path(body.get(0)))).append('\n');
    } else {
      for (String property : body) {
        if (data.has(property)) {
          text.append("## ")
              .append(headline(property))
              .append("\n\n")
              .append(asText(data.get(property)))
              .append("\n\n");
        }
      }
    }

    List<String> keyValues = new ArrayList<>();
    for (List<String> path : primaryKey) {
      JsonNode value = data;
      for (String step : path) {
        value = value.path(step);
      }
      if (!value.isMissingNode() && !value.isNull()) {
        keyValues.add(value.asText());
      }
    }
    String id =
        keyValues.isEmpty() || keyValues.size() != primaryKey.size()
            ? UUID.randomUUID().toString()
            : String.join("-", keyValues);
    return new Document(id, text.toString().stripTrailing() + "\n", metadata, lastModified);
  }

  /** {@code first_name} becomes {@code First Name}, as PyAirbyte titles its headers. */
  static String headline(String property) {
    StringBuilder words = new StringBuilder();
    for (String word : property.split("[_\\s]+")) {
      if (!word.isEmpty()) {
        if (words.length() > 0) {
          words.append(' ');
        }
        words.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
      }
    }
    return words.toString();
  }

  private static String asText(JsonNode value) {
    return value.isValueNode() ? value.asText() : value.toString();
  }
}
