package io.akb.connect.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.Source;

/**
 * The Airbyte source a connector config describes, as a {@link Source} of the connector runtime.
 */
final class ConfiguredSource {
  private ConfiguredSource() {}

  /** The source without a config: for its spec. */
  static Source withoutConfig(AirbyteSourceConfig config) {
    return Airbyte.getSource(config.connectorName(), (JsonNode) null, config.connectorOptions());
  }

  /**
   * The source with its config (secrets put in), checked against the spec.
   *
   * @throws AkbException naming the bad fields when the config does not match the spec
   */
  static Source of(AirbyteSourceConfig config) {
    return Airbyte.getSource(
        config.connectorName(), config.connectorConfig(), config.connectorOptions());
  }
}
