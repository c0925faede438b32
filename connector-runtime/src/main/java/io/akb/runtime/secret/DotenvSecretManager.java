package io.akb.runtime.secret;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Secrets from a {@code .env} file, PyAirbyte's {@code DotenvSecretManager}: name {@code dotenv}.
 * The file is read when first needed (a missing file has no secrets) and kept.
 */
public final class DotenvSecretManager implements SecretManager {
  /** This manager's {@link #name()}. */
  public static final String NAME = "dotenv";

  private final Path file;
  private volatile Map<String, String> values;

  /** The {@code .env} file of the working directory. */
  public DotenvSecretManager() {
    this(Path.of(".env"));
  }

  /**
   * @param file the {@code .env} file; may not exist
   */
  public DotenvSecretManager(Path file) {
    this.file = file;
  }

  /** The file this manager reads. */
  public Path file() {
    return file;
  }

  @Override
  public Optional<SecretString> getSecret(String name) {
    String value = values().get(name);
    return value == null || value.isEmpty()
        ? Optional.empty()
        : Optional.of(new SecretString(value));
  }

  @Override
  public String name() {
    return NAME;
  }

  private Map<String, String> values() {
    Map<String, String> known = values;
    if (known == null) {
      known = Files.isRegularFile(file) ? parse(file) : Map.of();
      values = known;
    }
    return known;
  }

  /** Reads {@code KEY=VALUE} lines; {@code export}, quotes and {@code #} comments as shells do. */
  static Map<String, String> parse(Path file) {
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
