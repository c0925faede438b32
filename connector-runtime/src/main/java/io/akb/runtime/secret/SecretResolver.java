package io.akb.runtime.secret;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.akb.runtime.AkbException;
import java.io.Console;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds secrets by name, as PyAirbyte's {@code get_secret}: the environment first, then a {@code
 * .env} file in the working directory, then a prompt on the console when one is attached (never in
 * CI or a service, where {@link System#console()} is null). Also replaces {@code secret://NAME}
 * references in a config by the secret's value, at run time only: the config a user keeps and
 * prints still holds the reference.
 */
public final class SecretResolver {
  /** A config string of this form is replaced by the secret NAME. */
  public static final String REFERENCE_PREFIX = "secret://";

  private final Function<String, String> environment;
  private final Path dotEnv;
  private final Console console;
  private volatile Map<String, String> dotEnvValues;

  /**
   * @param environment looks a variable up ({@code System::getenv})
   * @param dotEnv a {@code .env} file, read when first needed; may not exist
   * @param console where to prompt, or null to never prompt
   */
  public SecretResolver(Function<String, String> environment, Path dotEnv, Console console) {
    this.environment = environment;
    this.dotEnv = dotEnv;
    this.console = console;
  }

  /** The environment, {@code ./.env} and the attached console, if any. */
  public static SecretResolver defaults() {
    return new SecretResolver(System::getenv, Path.of(".env"), System.console());
  }

  /** The secret's value, or empty when no source has it (the console is asked last). */
  public Optional<String> find(String name) {
    String value = environment.apply(name);
    if (value != null && !value.isEmpty()) {
      return Optional.of(value);
    }
    value = dotEnv().get(name);
    if (value != null && !value.isEmpty()) {
      return Optional.of(value);
    }
    if (console != null) {
      char[] typed = console.readPassword("Enter the value of secret %s: ", name);
      if (typed != null && typed.length > 0) {
        return Optional.of(new String(typed));
      }
    }
    return Optional.empty();
  }

  /**
   * The secret's value.
   *
   * @throws AkbException naming the places searched when none has it
   */
  public String get(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new AkbException(
                    "getting secret " + name,
                    "it is not an environment variable"
                        + (dotEnv == null ? "" : " nor in " + dotEnv.toAbsolutePath())
                        + (console == null ? " and no console is attached to ask for it" : ""),
                    "Set the environment variable " + name + " or add " + name + "=... to .env."));
  }

  /** A config with its {@code secret://} references replaced, and the values put in. */
  public record Resolved(JsonNode config, List<String> secrets) {}

  /** Replaces every {@code secret://NAME} string in {@code config} (a copy; null stays null). */
  public Resolved resolve(JsonNode config) {
    if (config == null) {
      return new Resolved(null, List.of());
    }
    JsonNode copy = config.deepCopy();
    List<String> secrets = new ArrayList<>();
    JsonNode resolved = resolveIn(copy, secrets);
    return new Resolved(resolved, List.copyOf(secrets));
  }

  private JsonNode resolveIn(JsonNode node, List<String> secrets) {
    if (node.isTextual() && node.asText().startsWith(REFERENCE_PREFIX)) {
      String value = get(node.asText().substring(REFERENCE_PREFIX.length()));
      secrets.add(value);
      return TextNode.valueOf(value);
    }
    if (node instanceof ObjectNode object) {
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      names.forEach(name -> object.set(name, resolveIn(object.get(name), secrets)));
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, resolveIn(array.get(i), secrets));
      }
    }
    return node;
  }

  private Map<String, String> dotEnv() {
    Map<String, String> values = dotEnvValues;
    if (values == null) {
      values = dotEnv == null || !Files.isRegularFile(dotEnv) ? Map.of() : parseDotEnv(dotEnv);
      dotEnvValues = values;
    }
    return values;
  }

  /** Reads {@code KEY=VALUE} lines; {@code export}, quotes and {@code #} comments as shells do. */
  static Map<String, String> parseDotEnv(Path file) {
    Map<String, String> values = new HashMap<>();
    try {
      for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String line = raw.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        if (line.startsWith("export ")) {
          line = line.substring("export ".length()).strip();
        }
        int equals = line.indexOf('=');
        if (equals <= 0) {
          continue;
        }
        String key = line.substring(0, equals).strip();
        String value = line.substring(equals + 1).strip();
        if (value.length() >= 2
            && (value.charAt(0) == '"' || value.charAt(0) == '\'')
            && value.charAt(value.length() - 1) == value.charAt(0)) {
          value = value.substring(1, value.length() - 1);
        } else {
          int comment = value.indexOf(" #");
          if (comment >= 0) {
            value = value.substring(0, comment).strip();
          }
        }
        values.put(key, value);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
    return Map.copyOf(values);
  }
}
