package io.akb.connect.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.Source;
import java.nio.file.Path;

/**
 * The Airbyte source a connector config describes: the executor options from the {@code airbyte.*}
 * options, and a {@link Source} of the connector runtime built from them.
 */
final class ConfiguredSource {
  private ConfiguredSource() {}

  /** The runtime's options for this config's executor choice. */
  static ConnectorOptions options(AirbyteSourceConfig config) {
    ConnectorOptions options = ConnectorOptions.defaults().withVersion(config.connectorVersion());
    if (config.installDir() != null) {
      options = options.withInstallDir(Path.of(config.installDir()));
    }
    return switch (config.executor()) {
      case AUTO ->
          options
              .withPipUrl(config.pipUrl())
              .withDockerImage(config.dockerImage())
              .withLocalExecutable(config.localExecutable())
              .withManifest(config.manifest());
      case VENV -> options.withPipUrl(config.pipUrl());
      // "true" asks the runtime for the registry's image of the connector.
      case DOCKER ->
          options.withDockerImage(config.dockerImage() == null ? "true" : config.dockerImage());
      case LOCAL ->
          options.withLocalExecutable(
              config.localExecutable() == null ? config.connectorName() : config.localExecutable());
      case MANIFEST -> {
        if (config.manifest() == null) {
          throw new AkbException(
              "Choosing the executor",
              AirbyteSourceConfig.EXECUTOR_CONFIG + "=manifest needs a manifest",
              "Set " + AirbyteSourceConfig.MANIFEST_CONFIG + " to the manifest's path or URL.");
        }
        yield options.withManifest(config.manifest());
      }
    };
  }

  /** The source without a config: for its spec. */
  static Source withoutConfig(AirbyteSourceConfig config) {
    return Airbyte.getSource(config.connectorName(), (JsonNode) null, options(config));
  }

  /**
   * The source with its config (secrets put in), checked against the spec.
   *
   * @throws AkbException naming the bad fields when the config does not match the spec
   */
  static Source of(AirbyteSourceConfig config) {
    return Airbyte.getSource(config.connectorName(), config.connectorConfig(), options(config));
  }
}
