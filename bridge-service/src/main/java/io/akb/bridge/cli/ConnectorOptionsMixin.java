package io.akb.bridge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.Destination;
import io.akb.runtime.Source;
import picocli.CommandLine.Mixin;

/**
 * What every command that runs a connector with a config takes, in one place: {@code --config}, how
 * to run the connector ({@code --version}, {@code --pip-url}, {@code --docker-image}, {@code
 * --local-executable}) and {@code --config-updates-dir}, so each command gets a connector that
 * starts with the updates the last command stored.
 */
final class ConnectorOptionsMixin {
  @Mixin ConfigOption config;

  @Mixin ExecutorOptions executor;

  @Mixin ConfigUpdatesOption updates;

  /** The config given for connector {@code name}, secret references unresolved. */
  JsonNode config(String name) {
    return config.load(name);
  }

  /** How to run connector {@code name}, keeping its config updates in the command-line file. */
  ConnectorOptions options(String name) {
    return updates.applyTo(executor.toConnectorOptions(), name);
  }

  /** Source {@code name} with the given config and options (the config checked by its spec). */
  Source source(String name) {
    return Airbyte.getSource(name, config(name), options(name));
  }

  /** Destination {@code name} with the given config and options. */
  Destination destination(String name) {
    return Airbyte.getDestination(name, config(name), options(name));
  }
}
