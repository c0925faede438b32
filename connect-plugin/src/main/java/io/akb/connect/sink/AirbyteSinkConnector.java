package io.akb.connect.sink;

import io.akb.connect.ConnectorSettings;
import io.akb.runtime.AkbException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Writes Kafka topics into an Airbyte destination connector (PyPI venv, Docker image or local
 * program), one destination process per task. See {@link AirbyteSinkTask} for the delivery
 * guarantee and {@link AirbyteSinkConfig} for the options.
 */
public class AirbyteSinkConnector extends SinkConnector {
  static final String VERSION = ConnectorSettings.PLUGIN_VERSION;

  private Map<String, String> props;

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    // Parsing fails fast on a bad option, before any task starts.
    try {
      new AirbyteSinkConfig(props).connectorConfig();
    } catch (AkbException e) {
      throw new ConnectException(e.getMessage(), e);
    }
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return AirbyteSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>(maxTasks);
    for (int i = 0; i < maxTasks; i++) {
      configs.add(props);
    }
    return configs;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return AirbyteSinkConfig.CONFIG_DEF;
  }

  /** Beyond the option types: the config updates directory must be usable on this worker. */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config config = super.validate(connectorConfigs);
    Map<String, ConfigValue> values = new LinkedHashMap<>();
    config.configValues().forEach(value -> values.put(value.name(), value));
    AirbyteSinkConfig parsed;
    try {
      parsed = new AirbyteSinkConfig(connectorConfigs);
    } catch (ConfigException e) {
      return config; // super.validate already reported option-level problems
    }
    ConnectorSettings.validateConfigUpdates(parsed, ConnectorSettings.Role.DESTINATION, values);
    return new Config(new ArrayList<>(values.values()));
  }
}
