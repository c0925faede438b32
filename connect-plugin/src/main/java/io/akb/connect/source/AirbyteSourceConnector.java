package io.akb.connect.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.connect.ConnectorSettings;
import io.akb.runtime.AkbException;
import io.akb.runtime.Source;
import io.akb.runtime.config.ConfigValidator;
import io.akb.runtime.protocol.AirbyteConnectionStatus;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.secret.SecretMasker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Connect source connector for any Airbyte source: a topic per stream and a state topic,
 * following the topic contract of ARCHITECTURE.md. Options: {@link AirbyteSourceConfig}.
 *
 * <p>{@link #start} discovers the source's streams once (installing the connector if needed) and
 * {@link #taskConfigs} spreads them over {@code tasks.max} tasks. {@link #validate} checks the
 * connector config against the connector's spec and runs {@code check}, reporting each problem on
 * the option it belongs to, with secrets hidden.
 */
public class AirbyteSourceConnector extends SourceConnector {
  private static final Logger log = LoggerFactory.getLogger(AirbyteSourceConnector.class);

  /** The plugin's version, from the jar manifest. */
  static final String VERSION = ConnectorSettings.PLUGIN_VERSION;

  private Map<String, String> props;
  private List<StreamDescriptor> streams;

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    this.props = Map.copyOf(props);
    AirbyteSourceConfig config = new AirbyteSourceConfig(props);
    String formatProblem = config.recordFormatProblem(props);
    if (formatProblem != null) {
      throw new ConnectException(formatProblem);
    }
    try {
      Source source = ConfiguredSource.of(config);
      StreamCatalog catalog = new StreamCatalog(source.discoveredCatalog());
      List<String> selected = catalog.selectedStreams(config.streams());
      Map<String, StreamDescriptor> byName = new LinkedHashMap<>();
      for (AirbyteStream stream : source.discoveredCatalog().streams()) {
        byName.put(stream.descriptor().qualifiedName(), stream.descriptor());
      }
      streams = selected.stream().map(byName::get).toList();
    } catch (AkbException e) {
      throw new ConnectException(e.getMessage(), e);
    }
    log.info(
        "Airbyte source {} starts with streams {}",
        config.connectorName(),
        streams.stream().map(StreamDescriptor::qualifiedName).toList());
  }

  @Override
  public Class<? extends Task> taskClass() {
    return AirbyteSourceTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<String> names = streams.stream().map(StreamDescriptor::qualifiedName).toList();
    Map<String, StreamDescriptor> byName = new HashMap<>();
    streams.forEach(stream -> byName.put(stream.qualifiedName(), stream));
    List<List<String>> groups = StreamAssignment.spread(names, maxTasks);
    String connectorName = props.getOrDefault("name", "airbyte");
    List<Map<String, String>> configs = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      Map<String, String> taskConfig = new HashMap<>(props);
      taskConfig.put(AirbyteSourceTask.TASK_ID_CONFIG, connectorName + "-" + i);
      taskConfig.put(AirbyteSourceTask.TASK_COUNT_CONFIG, String.valueOf(groups.size()));
      taskConfig.put(
          AirbyteSourceTask.TASK_STREAMS_CONFIG,
          AirbyteJson.toJson(groups.get(i).stream().map(byName::get).toList()));
      configs.add(taskConfig);
    }
    return configs;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return AirbyteSourceConfig.CONFIG_DEF;
  }

  /**
   * Beyond the option types: the connector config must match the connector's spec (each problem is
   * reported on {@code airbyte.config}, or on {@code airbyte.secret.<path>} for a secret field),
   * {@code check} must succeed (with the stored config updates applied), the named streams must
   * exist, and the config updates directory must be usable on this worker. Secret options come back
   * as PASSWORD values and {@code airbyte.config} with its secrets masked.
   */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config config = super.validate(connectorConfigs);
    Map<String, ConfigValue> values = new LinkedHashMap<>();
    config.configValues().forEach(value -> values.put(value.name(), value));
    AirbyteSourceConfig parsed;
    try {
      parsed = new AirbyteSourceConfig(connectorConfigs);
    } catch (ConfigException e) {
      return config; // super.validate already reported option-level problems
    }
    try {
      parsed.adminClientConfig();
    } catch (ConfigException e) {
      values.get(AirbyteSourceConfig.BOOTSTRAP_SERVERS_CONFIG).addErrorMessage(e.getMessage());
    }
    for (Map.Entry<String, Password> secret : parsed.secrets().entrySet()) {
      ConfigValue value = new ConfigValue(AirbyteSourceConfig.SECRET_PREFIX + secret.getKey());
      value.value(secret.getValue()); // a Password shows as [hidden] in REST answers
      values.put(value.name(), value);
    }
    String formatProblem = parsed.recordFormatProblem(connectorConfigs);
    if (formatProblem != null) {
      values.get(AirbyteSourceConfig.RECORD_FORMAT_CONFIG).addErrorMessage(formatProblem);
    }
    ConnectorSettings.validateConfigUpdates(parsed, ConnectorSettings.Role.SOURCE, values);
    if (values.values().stream().anyMatch(value -> !value.errorMessages().isEmpty())) {
      return new Config(new ArrayList<>(values.values()));
    }
    new SourceValidation(parsed, values).run();
    return new Config(new ArrayList<>(values.values()));
  }

  /** Checks a config against the live connector, recording problems on the options. */
  private static final class SourceValidation {
    private static final Pattern REQUIRED_PROPERTY =
        Pattern.compile("required property '([^']+)' not found");

    private final AirbyteSourceConfig config;
    private final Map<String, ConfigValue> values;

    SourceValidation(AirbyteSourceConfig config, Map<String, ConfigValue> values) {
      this.config = config;
      this.values = values;
    }

    void run() {
      ConfigValue configValue = values.get(ConnectorSettings.CONNECTOR_CONFIG_CONFIG);
      ObjectNode connectorConfig;
      try {
        connectorConfig = config.connectorConfig();
      } catch (AkbException e) {
        configValue.addErrorMessage(e.summary());
        configValue.value(null);
        return;
      }
      SecretMasker masker = SecretMasker.none();
      try {
        Source bare = ConfiguredSource.withoutConfig(config);
        JsonNode specSchema = bare.spec().connectionSpecification();
        Set<String> secretPaths = SecretFields.in(specSchema);
        masker = SecretMasker.forConfig(specSchema, connectorConfig);
        configValue.value(masker.maskConfig(config.connectorConfigWithoutSecrets()).toString());
        List<String> problems =
            new ConfigValidator(config.connectorName(), specSchema)
                .problems(connectorConfig, masker);
        for (String problem : problems) {
          optionOf(problem, secretPaths).addErrorMessage(problem);
        }
        if (!problems.isEmpty()) {
          return;
        }
        Source source = ConfiguredSource.of(config);
        AirbyteConnectionStatus status = source.checkStatus();
        if (status.status() != AirbyteConnectionStatus.Status.SUCCEEDED) {
          configValue.addErrorMessage(
              config.connectorName()
                  + " check failed: "
                  + masker.mask(String.valueOf(status.message())));
          return;
        }
        if (!config.streams().isEmpty()) {
          try {
            new StreamCatalog(source.discoveredCatalog()).selectedStreams(config.streams());
          } catch (AkbException e) {
            values
                .get(AirbyteSourceConfig.STREAMS_CONFIG)
                .addErrorMessage(masker.mask(e.summary()));
          }
        }
      } catch (AkbException e) {
        values
            .get(ConnectorSettings.CONNECTOR_NAME_CONFIG)
            .addErrorMessage(masker.mask(e.getMessage()));
      }
    }

    /**
     * The option a spec problem belongs to: {@code airbyte.secret.<path>} when it names a secret
     * field ("$.credentials.api_key: ..." or "$.credentials: required property 'api_key' not
     * found"), else {@code airbyte.config}.
     */
    private ConfigValue optionOf(String problem, Set<String> secretPaths) {
      int end = problem.indexOf(':');
      if (problem.startsWith("$") && end > 0) {
        String location = problem.substring(1, end).trim();
        String path = location.startsWith(".") ? location.substring(1) : location;
        Matcher required = REQUIRED_PROPERTY.matcher(problem);
        if (required.find()) {
          path = path.isEmpty() ? required.group(1) : path + "." + required.group(1);
        }
        if (secretPaths.contains(path)) {
          return values.computeIfAbsent(AirbyteSourceConfig.SECRET_PREFIX + path, ConfigValue::new);
        }
      }
      return values.get(ConnectorSettings.CONNECTOR_CONFIG_CONFIG);
    }
  }

  @Override
  public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
    // Every record carries its partition's latest state and each checkpoint can end a
    // transaction, so records and the state after them always land together.
    return ExactlyOnceSupport.SUPPORTED;
  }

  @Override
  public ConnectorTransactionBoundaries canDefineTransactionBoundaries(
      Map<String, String> connectorConfig) {
    return ConnectorTransactionBoundaries.SUPPORTED;
  }

  /**
   * Accepts only offsets the task can resume from: a partition {@code {"stream": ..}} or {@code
   * {"state_type": "GLOBAL"|"LEGACY"}}, and an offset {@code {"state": "<STATE message JSON>"}}
   * whose state belongs under that partition; or a task's schedule, {@code {"sync_schedule": "<task
   * id>"}} with {@code {"last_sync_ended_at": <epoch ms>}} (see {@link SyncSchedule}); or a task's
   * stream generations (see {@link GenerationOffsets}); a null offset resets the partition.
   */
  @Override
  public boolean alterOffsets(
      Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
    for (Map.Entry<Map<String, ?>, Map<String, ?>> entry : offsets.entrySet()) {
      try {
        if (SyncSchedule.isSchedulePartition(entry.getKey())) {
          SyncSchedule.checkPartition(entry.getKey());
          if (entry.getValue() != null) {
            SyncSchedule.endedAt(entry.getValue());
          }
          continue;
        }
        if (GenerationOffsets.isGenerationPartition(entry.getKey())) {
          GenerationOffsets.checkPartition(entry.getKey());
          if (entry.getValue() != null) {
            GenerationOffsets.generationsOf(entry.getValue());
          }
          continue;
        }
        StateOffsets.checkPartition(entry.getKey());
        if (entry.getValue() != null) {
          StateOffsets.stateOf(entry.getKey(), entry.getValue());
        }
      } catch (AkbException e) {
        throw new ConnectException(e.summary());
      }
    }
    return true;
  }
}
