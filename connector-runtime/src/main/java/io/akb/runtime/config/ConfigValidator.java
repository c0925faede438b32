package io.akb.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.akb.runtime.AkbException;
import io.akb.runtime.secret.SecretMasker;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks a connector config against the JSON schema of the connector's spec ({@code
 * connectionSpecification}) before the connector runs, so a user sees "$.count: string found,
 * integer expected" instead of a Python stack trace. Airbyte's own keywords ({@code
 * airbyte_secret}, {@code order}, ...) are annotations and ignored. Thread-safe.
 */
public final class ConfigValidator {
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);

  private final String connectorName;
  private final JsonSchema schema;

  public ConfigValidator(String connectorName, JsonNode connectionSpecification) {
    this.connectorName = connectorName;
    SchemaValidatorsConfig config =
        SchemaValidatorsConfig.builder()
            .locale(Locale.ENGLISH)
            .formatAssertionsEnabled(false)
            .build();
    this.schema = FACTORY.getSchema(connectionSpecification, config);
  }

  /**
   * The problems, one line each naming the field ({@code $.count: ...}), sorted; empty if valid.
   */
  public List<String> problems(JsonNode config, SecretMasker masker) {
    Set<ValidationMessage> messages = schema.validate(config);
    return messages.stream()
        .sorted(Comparator.comparing(m -> m.getInstanceLocation().toString()))
        .map(m -> masker.mask(fieldPath(m.getInstanceLocation()) + ": " + m.getError()))
        .distinct()
        .toList();
  }

  /** {@code $.credentials.api_key} or {@code $.streams[0]}: how a user names a field. */
  static String fieldPath(JsonNodePath location) {
    StringBuilder path = new StringBuilder("$");
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      if (element instanceof Integer index) {
        path.append('[').append(index).append(']');
      } else {
        path.append('.').append(element);
      }
    }
    return path.toString();
  }

  /**
   * @throws AkbException listing every problem when {@code config} does not match the spec
   */
  public void validate(JsonNode config, SecretMasker masker) {
    List<String> problems = problems(config, masker);
    if (!problems.isEmpty()) {
      throw new AkbException(
          "validating the config of " + connectorName,
          "it does not match the connector's spec: " + String.join("; ", problems),
          "Fix the fields named above; the spec lists every field with its type and description.");
    }
  }
}
