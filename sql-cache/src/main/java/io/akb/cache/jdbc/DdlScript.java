package io.akb.cache.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A dialect's DDL kept as a resource: one statement per line, {@code --} comments, {@code
 * ${schema}}.
 */
final class DdlScript {
  private DdlScript() {}

  /** The statements of resource {@code name} next to {@code owner}, with the schema filled in. */
  static List<String> load(Class<?> owner, String name, String quotedSchema) {
    try (InputStream in = owner.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing DDL resource " + name + " of " + owner.getName());
      }
      List<String> statements = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String trimmed = line.trim();
        if (!trimmed.isEmpty() && !trimmed.startsWith("--")) {
          statements.add(trimmed.replace("${schema}", quotedSchema).replaceAll(";$", ""));
        }
      }
      return statements;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
