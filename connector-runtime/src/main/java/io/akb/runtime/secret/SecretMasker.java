package io.akb.runtime.secret;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Hides secret values wherever text leaves AKB: log lines, exception messages, printed configs. The
 * secrets are the config's values of fields the connector's spec marks {@code airbyte_secret}, of
 * fields whose names look secret ({@code password}, {@code api_key}, {@code token}, ...: a spec is
 * not always known, and a missed secret is worse than a masked non-secret) and values resolved from
 * {@code secret://} references.
 *
 * <p>Immutable and thread-safe; {@link #with} returns a masker that hides more.
 */
public final class SecretMasker {
  /** What a secret is replaced by. */
  public static final String MASK = "****";

  /** Values shorter than this are not masked: masking "1" or "ab" everywhere would hide the log. */
  static final int MIN_SECRET_LENGTH = 4;

  private static final Pattern SECRET_LOOKING_NAME =
      Pattern.compile(
          "(?i).*(password|passwd|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key"
              + "|auth[_-]?key|client[_-]?secret|passphrase).*");

  private static final SecretMasker NONE = new SecretMasker(Set.of(), List.of());

  private final Set<String> secretFieldNames;
  private final List<String>
      secrets; // longest first, so a secret containing another is hidden whole

  private SecretMasker(Set<String> secretFieldNames, List<String> secrets) {
    this.secretFieldNames = Set.copyOf(secretFieldNames);
    List<String> sorted = new ArrayList<>(new HashSet<>(secrets));
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    this.secrets = List.copyOf(sorted);
  }

  /** A masker that hides nothing. */
  public static SecretMasker none() {
    return NONE;
  }

  /**
   * A masker for {@code config}: hides the values of the fields {@code connectionSpecification}
   * (the spec's JSON schema, may be null) marks {@code airbyte_secret}, and of secret-looking field
   * names.
   */
  public static SecretMasker forConfig(JsonNode connectionSpecification, JsonNode config) {
    Set<String> names = new HashSet<>();
    if (connectionSpecification != null) {
      collectSecretFieldNames(connectionSpecification, names);
    }
    List<String> values = new ArrayList<>();
    if (config != null) {
      collectSecretValues(config, names, false, values);
    }
    return new SecretMasker(names, values);
  }

  /** A masker that also hides {@code moreSecrets}. */
  public SecretMasker with(Iterable<String> moreSecrets) {
    List<String> all = new ArrayList<>(secrets);
    moreSecrets.forEach(
        secret -> {
          if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
            all.add(secret);
          }
        });
    return new SecretMasker(secretFieldNames, all);
  }

  /** A masker hiding the secrets of both. */
  public SecretMasker with(SecretMasker other) {
    Set<String> names = new HashSet<>(secretFieldNames);
    names.addAll(other.secretFieldNames);
    List<String> all = new ArrayList<>(secrets);
    all.addAll(other.secrets);
    return new SecretMasker(names, all);
  }

  /** {@code text} with every known secret replaced by {@link #MASK}; null stays null. */
  public String mask(String text) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String masked = text;
    for (String secret : secrets) {
      if (masked.contains(secret)) {
        masked = masked.replace(secret, MASK);
      }
      // A secret inside JSON text is escaped ("a\"b"): hide that form too.
      String escaped = TextNode.valueOf(secret).toString();
      escaped = escaped.substring(1, escaped.length() - 1);
      if (!escaped.equals(secret) && masked.contains(escaped)) {
        masked = masked.replace(escaped, MASK);
      }
    }
    return masked;
  }

  /** Masks each line. */
  public List<String> mask(List<String> lines) {
    return lines.stream().map(this::mask).toList();
  }

  /**
   * A copy of {@code config} fit to print: secret fields replaced by {@link #MASK} and any other
   * string holding a secret masked.
   */
  public JsonNode maskConfig(JsonNode config) {
    if (config == null) {
      return null;
    }
    JsonNode copy = config.deepCopy();
    maskInPlace(copy);
    return copy;
  }

  /** Whether this masker knows at least one secret value. */
  public boolean hasSecrets() {
    return !secrets.isEmpty();
  }

  private void maskInPlace(JsonNode node) {
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      List<String> toMask = new ArrayList<>();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getValue().isTextual()) {
          if (isSecretName(field.getKey(), secretFieldNames)
              || !mask(field.getValue().asText()).equals(field.getValue().asText())) {
            toMask.add(field.getKey());
          }
        } else {
          maskInPlace(field.getValue());
        }
      }
      toMask.forEach(
          name -> {
            String value = object.get(name).asText();
            object.put(name, value.startsWith("secret://") ? value : MASK);
          });
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        if (array.get(i).isTextual()) {
          array.set(i, TextNode.valueOf(mask(array.get(i).asText())));
        } else {
          maskInPlace(array.get(i));
        }
      }
    }
  }

  static boolean isSecretName(String fieldName, Set<String> specSecretNames) {
    return specSecretNames.contains(fieldName)
        || SECRET_LOOKING_NAME.matcher(fieldName.toLowerCase(Locale.ROOT)).matches();
  }

  /** Names of properties marked airbyte_secret anywhere in the schema (nested, oneOf, items). */
  private static void collectSecretFieldNames(JsonNode schema, Set<String> names) {
    if (schema.isObject()) {
      JsonNode properties = schema.get("properties");
      if (properties != null && properties.isObject()) {
        properties
            .fields()
            .forEachRemaining(
                property -> {
                  if (property.getValue().path("airbyte_secret").asBoolean(false)) {
                    names.add(property.getKey());
                  }
                });
      }
      schema.elements().forEachRemaining(child -> collectSecretFieldNames(child, names));
    } else if (schema.isArray()) {
      schema.elements().forEachRemaining(child -> collectSecretFieldNames(child, names));
    }
  }

  private static void collectSecretValues(
      JsonNode node, Set<String> names, boolean underSecret, List<String> values) {
    if (node.isTextual()) {
      String value = node.asText();
      if (underSecret && value.length() >= MIN_SECRET_LENGTH && !value.startsWith("secret://")) {
        values.add(value);
      }
    } else if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              field ->
                  collectSecretValues(
                      field.getValue(),
                      names,
                      underSecret || isSecretName(field.getKey(), names),
                      values));
    } else if (node.isArray()) {
      node.elements()
          .forEachRemaining(element -> collectSecretValues(element, names, underSecret, values));
    } else if (underSecret && node.isNumber() && node.asText().length() >= MIN_SECRET_LENGTH) {
      values.add(node.asText());
    }
  }
}
