package io.akb.bridge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The connector config: a JSON object on the command line, or the path of a JSON file. */
final class ConfigOption {
  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE|JSON",
      description =
          "The connector config: a JSON object ('{\"count\": 100}') or a JSON file. Values may be"
              + " secret://NAME references, resolved from the environment, ./.env or a prompt.")
  String config;

  /**
   * The config as JSON.
   *
   * @throws AkbException for a file that cannot be read or text that is not JSON (quoting none of
   *     it: it may hold secrets)
   */
  JsonNode load(String connectorName) {
    return load(connectorName, config);
  }

  /**
   * {@code config}, a JSON object or the path of a JSON file, as {@link #load(String)} reads it.
   */
  static JsonNode load(String connectorName, String config) {
    String text = config.strip();
    if (text.startsWith("{")) {
      return Airbyte.parseConfig(connectorName, text);
    }
    Path file = Path.of(config);
    if (!Files.isRegularFile(file)) {
      throw new AkbException(
          "reading the config of " + connectorName,
          "'" + config + "' is neither a JSON object nor a file",
          "Pass a JSON object such as --config '{\"count\": 100}', or the path of a JSON file.");
    }
    try {
      return Airbyte.parseConfig(connectorName, Files.readString(file));
    } catch (IOException e) {
      throw new AkbException(
          "reading the config file " + file, e.toString(), "Check that the file is readable.", e);
    }
  }
}
