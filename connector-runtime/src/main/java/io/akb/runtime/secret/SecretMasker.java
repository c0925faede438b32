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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Hides secret values wherever text leaves AKB: log lines, exception messages, printed configs. The
 * secrets are the config's values of fields the connector's spec marks {@code airbyte_secret}, of
 * fields whose names look secret ({@code password}, {@code api_key}, {@code token}, ...: a spec is
 * not always known, and a missed secret is worse than a masked non-secret) and values resolved from
 * {@code secret://} references.
 *
 * <p>Every masker also hides the values the JVM {@link #remember remembers}: each {@link
 * SecretString} made, so a secret obtained from a {@link SecretManager} is masked even where it was
 * copied into a field whose name does not look secret.
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

  /** Secrets every masker hides, and a counter of their changes to know when to merge again. */
  private static final Set<String> REMEMBERED = ConcurrentHashMap.newKeySet();

  private static final AtomicInteger REMEMBERED_VERSION = new AtomicInteger();

  /** This masker's secrets merged with the remembered ones, as of a version. */
  private record Merged(int version, List<String> secrets) {}

  private volatile Merged merged;

  private final Set<String> secretFieldNames;
  private final List<String>
      secrets; // longest first, so a secret containing another is hidden whole

  private SecretMasker(Set<String> secretFieldNames, List<String> secrets) {
    this.secretFieldNames = Set.copyOf(secretFieldNames);
    List<String> sorted = new ArrayList<>(new HashSet<>(secrets));
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    this.secrets = List.copyOf(sorted);
  }

  /**
   * Makes every masker of this JVM hide {@code secret} from now on (values shorter than 4
   * characters are ignored, as everywhere). {@link SecretString} calls it for each secret made.
   */
  public static void remember(String secret) {
    if (secret != null && secret.length() >= MIN_SECRET_LENGTH && REMEMBERED.add(secret)) {
      REMEMBERED_VERSION.incrementAndGet();
    }
  }

  /** This masker's secrets and the remembered ones, longest first. */
  private List<String> allSecrets() {
    int version = REMEMBERED_VERSION.get();
    if (version == 0) {
      return secrets;
    }
    Merged known = merged;
    if (known == null || known.version() != version) {
      Set<String> union = new HashSet<>(secrets);
      union.addAll(REMEMBERED);
      List<String> sorted = new ArrayList<>(union);
      sorted.sort(Comparator.comparingInt(String::length).reversed());
      known = new Merged(version, List.copyOf(sorted));
      merged = known;
    }
    return known.secrets();
  }

  /** A masker that hides nothing (but the {@link #remember remembered} secrets). */
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

  /**
   * A masker that also hides the secrets of {@code config}, judged by the field names this masker
   * knows: for a config the connector itself sent (a refreshed token in a CONTROL message).
   */
  public SecretMasker withConfig(JsonNode config) {
    List<String> values = new ArrayList<>();
    collectSecretValues(config, secretFieldNames, false, values);
    return with(values);
  }

  /**
   * The secret values in {@code value}, the value of a field named {@code fieldName}, judged by the
   * field names this masker knows: every string (and long number) in it when that name is secret,
   * else those under secret names inside it. For values to {@link #remember}.
   */
  public List<String> secretsOf(JsonNode value, String fieldName) {
    List<String> values = new ArrayList<>();
    if (value != null) {
      collectSecretValues(
          value,
          secretFieldNames,
          fieldName != null && isSecretName(fieldName, secretFieldNames),
          values);
    }
    return values;
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
    List<String> all = allSecrets();
    if (text == null || all.isEmpty()) {
      return text;
    }
    String masked = text;
    for (String secret : all) {
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

  /** Whether this masker knows at least one secret value (remembered ones included). */
  public boolean hasSecrets() {
    return !allSecrets().isEmpty();
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
