package io.akb.connect.sink;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.connect.ConnectorSettings;
import io.akb.connect.ConnectorSettings.Role;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.topic.TopicNames;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Options of {@link AirbyteSinkConnector}, each documented where it is defined. The Airbyte
 * connector options ({@code airbyte.*}) are the source connector's: {@link ConnectorSettings}.
 * Connect's own sink options apply as usual: {@code topics} or {@code topics.regex} choose the
 * topics, {@code errors.tolerance=all} with {@code errors.deadletterqueue.topic.name} sends records
 * that cannot be written to a dead-letter topic.
 */
public final class AirbyteSinkConfig extends AbstractConfig {
  private static final String DESTINATION_GROUP = "Airbyte destination";
  private static final String STREAMS_GROUP = "Streams";
  private static final String DELIVERY_GROUP = "Delivery";

  public static final String CATALOG_CONFIG = "catalog";
  public static final String STATE_TOPIC_CONFIG = "state.topic";
  public static final String SCHEMAS_TOPIC_CONFIG = "schemas.topic";
  public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
  public static final String TOPIC_PREFIX_CONFIG = "topic.prefix";
  public static final String TOPIC_STREAMS_CONFIG = "topic.streams";
  public static final String DESTINATION_SYNC_MODE_CONFIG = "destination.sync.mode";

  public static final String SOURCE_STATE_PASSTHROUGH_CONFIG = "source.state.passthrough";
  public static final String STATE_ECHO_TIMEOUT_CONFIG = "state.echo.timeout.ms";
  public static final String COMMIT_WAIT_CONFIG = "commit.echo.wait.ms";
  public static final String MAX_RESTARTS_CONFIG = "destination.max.restarts";
  public static final String FINISH_TIMEOUT_CONFIG = "destination.finish.timeout.ms";

  /** Connect's own option: with "all", records that cannot be written go to the errant reporter. */
  static final String ERRORS_TOLERANCE_CONFIG = "errors.tolerance";

  private static final String STATE_SUFFIX = "_state";

  /** Connect's per-connector consumer overrides, reused to read the state topic at start. */
  static final String CONSUMER_OVERRIDE_PREFIX = "consumer.override.";

  public static final ConfigDef CONFIG_DEF =
      ConnectorSettings.define(new ConfigDef(), Role.DESTINATION, DESTINATION_GROUP)
          .define(
              CATALOG_CONFIG,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "The configured catalog given to the destination, as Airbyte JSON (streams with"
                  + " json_schema, sync_mode, destination_sync_mode, primary_key, cursor_field)."
                  + " Empty means: built from the SYNC_STARTED events on state.topic.",
              STREAMS_GROUP,
              1,
              ConfigDef.Width.LONG,
              "Configured catalog (JSON)")
          .define(
              STATE_TOPIC_CONFIG,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "The source connector's state topic (<prefix>_state). At start the task reads its"
                  + " SYNC_STARTED events for the catalog; when the topic is also among the"
                  + " consumed topics, its CHECKPOINT states are passed to the destination once"
                  + " complete (see source.state.passthrough; needs tasks.max=1).",
              STREAMS_GROUP,
              2,
              ConfigDef.Width.LONG,
              "State topic")
          .define(
              SCHEMAS_TOPIC_CONFIG,
              Type.STRING,
              "",
              new TopicNameValidator(),
              Importance.LOW,
              "The source connector's schemas topic (<prefix>_schemas), which holds the writer"
                  + " schemas of its record.format=avro values (Avro single-object encoding, read"
                  + " with value.converter=org.apache.kafka.connect.converters.ByteArrayConverter)."
                  + " Read from bootstrap.servers only once an Avro value arrives; records of it"
                  + " among the consumed topics are skipped. Empty means: derived from state.topic"
                  + " (<prefix>_state gives <prefix>_schemas), else from topic.prefix.",
              STREAMS_GROUP,
              3,
              ConfigDef.Width.LONG,
              "Schemas topic")
          .define(
              BOOTSTRAP_SERVERS_CONFIG,
              Type.STRING,
              "",
              Importance.LOW,
              "Kafka brokers to read state.topic (at start) and schemas.topic (once an Avro value"
                  + " arrives) from; empty means consumer.override.bootstrap.servers. Other"
                  + " consumer settings (security) come from consumer.override.* options.",
              STREAMS_GROUP,
              4,
              ConfigDef.Width.LONG,
              "Bootstrap servers")
          .define(
              TOPIC_PREFIX_CONFIG,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "For records without an airbyte.stream header: the stream is the topic name"
                  + " without this prefix (airbyte.faker.users with prefix airbyte.faker. is"
                  + " users).",
              STREAMS_GROUP,
              5,
              ConfigDef.Width.MEDIUM,
              "Topic prefix")
          .define(
              TOPIC_STREAMS_CONFIG,
              Type.LIST,
              "",
              Importance.MEDIUM,
              "For records without an airbyte.stream header: explicit topic=stream pairs"
                  + " (stream as namespace.name when it has a namespace), checked before"
                  + " topic.prefix.",
              STREAMS_GROUP,
              6,
              ConfigDef.Width.LONG,
              "Topic to stream map")
          .define(
              DESTINATION_SYNC_MODE_CONFIG,
              Type.STRING,
              "append",
              ConfigDef.CaseInsensitiveValidString.in("append", "overwrite", "append_dedup"),
              Importance.MEDIUM,
              "Destination sync mode of the streams taken from SYNC_STARTED events: append,"
                  + " overwrite (each destination run replaces the stream's data: a restart"
                  + " keeps only what is replayed) or append_dedup (needs a primary key; a"
                  + " stream without one is appended).",
              STREAMS_GROUP,
              7,
              ConfigDef.Width.SHORT,
              "Destination sync mode")
          .define(
              SOURCE_STATE_PASSTHROUGH_CONFIG,
              Type.BOOLEAN,
              true,
              Importance.LOW,
              "Pass the source's STATE from complete CHECKPOINT events on state.topic to the"
                  + " destination, after the records it covers.",
              DELIVERY_GROUP,
              1,
              ConfigDef.Width.SHORT,
              "Pass source states")
          .define(
              STATE_ECHO_TIMEOUT_CONFIG,
              Type.LONG,
              300_000L,
              ConfigDef.Range.atLeast(1_000),
              Importance.LOW,
              "A STATE the destination has not echoed after this long fails the task (with the"
                  + " destination's last log lines): a destination that never echoes must not"
                  + " hold offsets back silently.",
              DELIVERY_GROUP,
              2,
              ConfigDef.Width.SHORT,
              "State echo timeout (ms)")
          .define(
              COMMIT_WAIT_CONFIG,
              Type.LONG,
              5_000L,
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              "How long an offset commit waits for the destination to echo the STATE sent for"
                  + " it; an echo that comes later is committed at the next commit.",
              DELIVERY_GROUP,
              3,
              ConfigDef.Width.SHORT,
              "Commit echo wait (ms)")
          .define(
              MAX_RESTARTS_CONFIG,
              Type.INT,
              3,
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              "How often in a row a destination that exits is restarted from the last confirmed"
                  + " offsets before the task fails; a confirmed state resets the count.",
              DELIVERY_GROUP,
              4,
              ConfigDef.Width.SHORT,
              "Destination restarts")
          .define(
              FINISH_TIMEOUT_CONFIG,
              Type.LONG,
              60_000L,
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              "When the task stops: how long the destination may take to persist and echo what"
                  + " it got after its input ends.",
              DELIVERY_GROUP,
              5,
              ConfigDef.Width.SHORT,
              "Finish timeout (ms)");

  public AirbyteSinkConfig(Map<String, String> props) {
    super(CONFIG_DEF, props);
  }

  public String connectorName() {
    return ConnectorSettings.connectorName(this);
  }

  /**
   * The runtime's options for the executor this config chooses, with the destination's config
   * updates kept in {@code airbyte.config.updates.dir}.
   */
  public ConnectorOptions connectorOptions() {
    return ConnectorSettings.options(this)
        .withConfigUpdates(ConnectorSettings.configUpdates(this, Role.DESTINATION));
  }

  /**
   * The destination's config.
   *
   * @throws AkbException naming the option when it is not one JSON object
   */
  public JsonNode connectorConfig() {
    return ConnectorSettings.connectorConfig(this);
  }

  /** The catalog given in config, or null when it is to come from the state topic. */
  public ConfiguredAirbyteCatalog catalog() {
    String json = blankToNull(getString(CATALOG_CONFIG));
    if (json == null) {
      return null;
    }
    try {
      ConfiguredAirbyteCatalog catalog =
          AirbyteJson.MAPPER.readValue(json, ConfiguredAirbyteCatalog.class);
      if (catalog.streams() == null || catalog.streams().isEmpty()) {
        throw new ConfigException(CATALOG_CONFIG, json, "has no streams");
      }
      return catalog;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ConfigException(
          CATALOG_CONFIG, json, "is not a configured catalog: " + e.getOriginalMessage());
    }
  }

  public String stateTopic() {
    return blankToNull(getString(STATE_TOPIC_CONFIG));
  }

  /**
   * The schemas topic of Avro values: {@code schemas.topic}, else {@code <prefix>_schemas} of
   * {@code state.topic} ({@code <prefix>_state}) or of {@code topic.prefix}; null when none of them
   * names one.
   */
  public String schemasTopic() {
    String given = blankToNull(getString(SCHEMAS_TOPIC_CONFIG));
    if (given != null) {
      return given;
    }
    String stateTopic = stateTopic();
    if (stateTopic != null && stateTopic.endsWith(STATE_SUFFIX)) {
      return TopicNames.schemasTopic(
          stateTopic.substring(0, stateTopic.length() - STATE_SUFFIX.length()));
    }
    String prefix = blankToNull(topicPrefix());
    return prefix == null ? null : TopicNames.schemasTopic(prefix);
  }

  /**
   * Consumer properties for reading the state topic: consumer.override.* plus bootstrap.servers.
   */
  public Map<String, Object> stateConsumerProperties() {
    return consumerProperties(STATE_TOPIC_CONFIG);
  }

  /**
   * Consumer properties for reading the schemas topic, or null when no brokers are known (then an
   * Avro value fails naming the options to set).
   */
  public Map<String, Object> schemasConsumerProperties() {
    return hasBootstrapServers() ? consumerProperties(SCHEMAS_TOPIC_CONFIG) : null;
  }

  private boolean hasBootstrapServers() {
    return blankToNull(getString(BOOTSTRAP_SERVERS_CONFIG)) != null
        || originalsWithPrefix(CONSUMER_OVERRIDE_PREFIX).containsKey("bootstrap.servers");
  }

  /** consumer.override.* plus bootstrap.servers, for reading {@code option}'s topic. */
  private Map<String, Object> consumerProperties(String option) {
    Map<String, Object> props = new LinkedHashMap<>();
    originalsWithPrefix(CONSUMER_OVERRIDE_PREFIX).forEach(props::put);
    String servers = blankToNull(getString(BOOTSTRAP_SERVERS_CONFIG));
    if (servers != null) {
      props.put("bootstrap.servers", servers);
    }
    if (!props.containsKey("bootstrap.servers")) {
      throw new ConfigException(
          BOOTSTRAP_SERVERS_CONFIG,
          "",
          "is needed to read " + option + " (or set consumer.override.bootstrap.servers)");
    }
    return props;
  }

  public String topicPrefix() {
    return getString(TOPIC_PREFIX_CONFIG);
  }

  /** topic.streams as topic to stream. */
  public Map<String, String> topicStreams() {
    Map<String, String> map = new LinkedHashMap<>();
    List<String> pairs = getList(TOPIC_STREAMS_CONFIG);
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new ConfigException(TOPIC_STREAMS_CONFIG, pair, "must be topic=stream");
      }
      map.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return map;
  }

  public DestinationSyncMode destinationSyncMode() {
    return DestinationSyncMode.valueOf(
        getString(DESTINATION_SYNC_MODE_CONFIG).toUpperCase(Locale.ROOT));
  }

  public boolean sourceStatePassthrough() {
    return getBoolean(SOURCE_STATE_PASSTHROUGH_CONFIG);
  }

  public Duration stateEchoTimeout() {
    return Duration.ofMillis(getLong(STATE_ECHO_TIMEOUT_CONFIG));
  }

  public Duration commitWait() {
    return Duration.ofMillis(getLong(COMMIT_WAIT_CONFIG));
  }

  public int maxRestarts() {
    return getInt(MAX_RESTARTS_CONFIG);
  }

  public Duration finishTimeout() {
    return Duration.ofMillis(getLong(FINISH_TIMEOUT_CONFIG));
  }

  /** Whether Connect's errors.tolerance is "all": bad records go to the errant record reporter. */
  public boolean toleratesErrors() {
    Object value = originals().get(ERRORS_TOLERANCE_CONFIG);
    return value != null && "all".equalsIgnoreCase(value.toString().trim());
  }

  /**
   * An empty value, or a name Kafka allows for a topic (as {@link TopicNames#legal} makes them).
   */
  static final class TopicNameValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String topic = value == null ? "" : value.toString().trim();
      if (!topic.isEmpty() && !TopicNames.legal(topic).equals(topic)) {
        throw new ConfigException(
            name,
            value,
            "is not a topic name: use letters, digits, '.', '_' and '-', at most 249 characters");
      }
    }

    @Override
    public String toString() {
      return "a topic name, or empty";
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
