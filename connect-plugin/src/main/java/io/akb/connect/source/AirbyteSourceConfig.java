package io.akb.connect.source;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.connect.ConnectorSettings;
import io.akb.connect.ConnectorSettings.Role;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.protocol.SyncMode;
import io.akb.runtime.topic.TopicNames;
import io.akb.runtime.topic.TopicRetention;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The configuration of {@link AirbyteSourceConnector}: which Airbyte source runs and how, what it
 * reads, and where its records go. Every option is documented in {@link #CONFIG_DEF}, the one
 * source of the README's option table.
 *
 * <p>Secret fields of the connector's config (those marked {@code airbyte_secret} in its spec) are
 * given as separate {@code airbyte.secret.<field path>} options, which the connector declares as
 * {@link Type#PASSWORD} when it validates, so Connect hides them in its logs and REST answers. Any
 * value may be a Kafka config provider reference such as {@code ${env:FAKER_KEY}} or {@code
 * ${file:/secrets/source.properties:api_key}}: the worker resolves it before the connector sees it.
 */
public final class AirbyteSourceConfig extends AbstractConfig {

  private static final String CONNECTOR_GROUP = "Airbyte connector";
  private static final String STREAMS_GROUP = "Streams";
  private static final String TOPICS_GROUP = "Topics";
  private static final String SYNC_GROUP = "Sync";

  /** Prefix of the options holding secret fields: {@code airbyte.secret.credentials.api_key}. */
  public static final String SECRET_PREFIX = "airbyte.secret.";

  public static final String STREAMS_CONFIG = "streams";
  private static final String STREAMS_DOC =
      "Streams to read, by name (namespace.name when the source has namespaces); empty reads"
          + " every stream the source offers.";

  public static final String SYNC_MODES_CONFIG = "sync.modes";

  /** The values of {@code sync.modes}, as written there. */
  private static final List<String> SYNC_MODES = List.of("incremental", "full_refresh");

  private static final String SYNC_MODES_DOC =
      "Per-stream sync mode as stream=incremental or stream=full_refresh, comma separated. A"
          + " stream not listed reads incrementally when it can, else in full.";

  public static final String CURSOR_FIELDS_CONFIG = "cursor.fields";
  private static final String CURSOR_FIELDS_DOC =
      "Per-stream cursor override as stream=field (nested fields joined with '.'), comma"
          + " separated; only for sources whose cursor is not defined by the source.";

  public static final String PRIMARY_KEYS_CONFIG = "primary.keys";
  private static final String PRIMARY_KEYS_DOC =
      "Per-stream primary key override as stream=field (composite keys joined with '|', nested"
          + " fields with '.'), comma separated. The key becomes the Kafka record key.";

  public static final String TOPIC_PREFIX_CONFIG = "topic.prefix";
  private static final String TOPIC_PREFIX_DOC =
      "Prefix of the record topics (<prefix><namespace.><stream>) and of the state topic"
          + " (<prefix>_state); empty means 'airbyte.<connector name>.'.";

  public static final String TOPIC_PARTITIONS_CONFIG = "topic.partitions";
  private static final String TOPIC_PARTITIONS_DOC =
      "Partitions of each record topic the task creates; an existing topic keeps its own"
          + " count. The state topic always has one partition.";

  public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "topic.replication.factor";
  private static final String TOPIC_REPLICATION_FACTOR_DOC =
      "Replication factor of the topics the task creates; -1 means the broker's default.";

  public static final String TOPIC_RETENTION_MS_CONFIG = "topic.retention.ms";
  private static final String TOPIC_RETENTION_MS_DOC =
      "retention.ms of the record and state topics the task creates; -1 (the default) keeps"
          + " records forever. Record timestamps are the records' emitted_at, which may be months"
          + " old: a finite retention deletes such records as soon as they land. An existing topic"
          + " keeps its own setting; a WARN names it when it is shorter than this.";

  public static final String TOPIC_RETENTION_BYTES_CONFIG = "topic.retention.bytes";
  private static final String TOPIC_RETENTION_BYTES_DOC =
      "retention.bytes (per partition) of the record and state topics the task creates; -1 (the"
          + " default) means no size limit. An existing topic keeps its own setting; a WARN names"
          + " it when it is smaller than this.";

  public static final String TOPIC_CLEANUP_POLICY_CONFIG = "topic.cleanup.policy";
  private static final String TOPIC_CLEANUP_POLICY_DOC =
      "cleanup.policy of the record topics the task creates for streams with a primary key:"
          + " 'delete' (the default; with the default retention nothing is deleted), 'compact'"
          + " (keeps the latest record per key) or 'compact,delete'. Topics of streams without a"
          + " key and the state topic always use 'delete': a compacted topic refuses records"
          + " without a key, and readers need every state event.";

  public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
  private static final String BOOTSTRAP_SERVERS_DOC =
      "Kafka brokers the task's admin client uses to create topics and learn their partition"
          + " counts; empty means the connector's admin.override.bootstrap.servers. Other admin"
          + " client settings (security) are taken from admin.override.* options.";

  /** Connect's per-connector admin client overrides, reused for the task's own admin client. */
  public static final String ADMIN_OVERRIDE_PREFIX = "admin.override.";

  public static final String RECORD_FORMAT_CONFIG = "record.format";
  private static final String RECORD_FORMAT_DOC =
      "Record value format: 'json' (schemaless maps, for JsonConverter with schemas.enable=false),"
          + " 'raw' (the record's JSON as bytes, serialized once with no Connect value in between:"
          + " the fastest; needs value.converter="
          + "org.apache.kafka.connect.converters.ByteArrayConverter in this connector's config, and"
          + " writes the same JSON as 'json' does), 'struct' (a Connect Struct built from the"
          + " stream's JSON schema, for Avro, Protobuf or JSON with schemas) or 'avro' (Avro"
          + " single-object encoding with no registry: magic 0xC3 0x01, the writer schema's"
          + " CRC-64-AVRO fingerprint, the binary datum; the writer schemas are kept in the"
          + " compacted topic <prefix>_schemas, keyed by the fingerprint in hex; needs"
          + " value.converter=org.apache.kafka.connect.converters.ByteArrayConverter as 'raw').";

  /** The converter the raw record format needs, named in the connector's own config. */
  public static final String BYTE_ARRAY_CONVERTER =
      "org.apache.kafka.connect.converters.ByteArrayConverter";

  public static final String SYNC_INTERVAL_CONFIG = "sync.interval.ms";
  private static final String SYNC_INTERVAL_DOC =
      "Time between the end of one sync and the start of the next, which reads from the latest"
          + " state.";

  public static final String SYNC_RESUME_SCHEDULE_CONFIG = "sync.resume.schedule";
  private static final String SYNC_RESUME_SCHEDULE_DOC =
      "Whether a restarted task keeps the schedule: it waits the rest of sync.interval.ms since"
          + " the end of the last successful sync (kept in Connect's offsets) before it syncs;"
          + " a task restarted with a changed configuration syncs at once. false starts a sync as"
          + " soon as the task starts.";

  public static final String SYNC_RETRIES_CONFIG = "sync.retries";
  private static final String SYNC_RETRIES_DOC =
      "Failed syncs retried in a row before the task fails, showing the connector's last log"
          + " lines in its status.";

  public static final String SYNC_RETRY_BACKOFF_CONFIG = "sync.retry.backoff.ms";
  private static final String SYNC_RETRY_BACKOFF_DOC =
      "Wait before the first retry of a failed sync; each further retry waits twice as long, at"
          + " most sync.interval.ms.";

  public static final String BATCH_SIZE_CONFIG = "poll.batch.size";
  private static final String BATCH_SIZE_DOC =
      "Most records handed to Connect per poll. A poll hands over fewer as soon as the connector"
          + " pauses, so what it sent never waits for a full batch.";

  /** The options of the connector, with their documentation. */
  public static final ConfigDef CONFIG_DEF =
      ConnectorSettings.define(new ConfigDef(), Role.SOURCE, CONNECTOR_GROUP)
          .define(
              STREAMS_CONFIG,
              Type.LIST,
              "",
              Importance.HIGH,
              STREAMS_DOC,
              STREAMS_GROUP,
              1,
              Width.LONG,
              "Streams")
          .define(
              SYNC_MODES_CONFIG,
              Type.LIST,
              "",
              new PerStreamValidator("sync mode", SYNC_MODES),
              Importance.MEDIUM,
              SYNC_MODES_DOC,
              STREAMS_GROUP,
              2,
              Width.LONG,
              "Sync modes")
          .define(
              CURSOR_FIELDS_CONFIG,
              Type.LIST,
              "",
              new PerStreamValidator("cursor field", List.of()),
              Importance.LOW,
              CURSOR_FIELDS_DOC,
              STREAMS_GROUP,
              3,
              Width.LONG,
              "Cursor fields")
          .define(
              PRIMARY_KEYS_CONFIG,
              Type.LIST,
              "",
              new PerStreamValidator("primary key", List.of()),
              Importance.LOW,
              PRIMARY_KEYS_DOC,
              STREAMS_GROUP,
              4,
              Width.LONG,
              "Primary keys")
          .define(
              TOPIC_PREFIX_CONFIG,
              Type.STRING,
              "",
              Importance.MEDIUM,
              TOPIC_PREFIX_DOC,
              TOPICS_GROUP,
              1,
              Width.MEDIUM,
              "Topic prefix")
          .define(
              TOPIC_PARTITIONS_CONFIG,
              Type.INT,
              1,
              ConfigDef.Range.atLeast(1),
              Importance.MEDIUM,
              TOPIC_PARTITIONS_DOC,
              TOPICS_GROUP,
              2,
              Width.SHORT,
              "Partitions per topic")
          .define(
              TOPIC_REPLICATION_FACTOR_CONFIG,
              Type.SHORT,
              (short) -1,
              ConfigDef.LambdaValidator.with(
                  (name, value) -> {
                    short factor = (Short) value;
                    if (factor != -1 && factor < 1) {
                      throw new ConfigException(
                          name, value, "the replication factor is -1 (the broker's default) or 1+");
                    }
                  },
                  () -> "-1, or at least 1"),
              Importance.MEDIUM,
              TOPIC_REPLICATION_FACTOR_DOC,
              TOPICS_GROUP,
              3,
              Width.SHORT,
              "Replication factor")
          .define(
              TOPIC_RETENTION_MS_CONFIG,
              Type.LONG,
              -1L,
              ConfigDef.Range.atLeast(-1),
              Importance.MEDIUM,
              TOPIC_RETENTION_MS_DOC,
              TOPICS_GROUP,
              4,
              Width.SHORT,
              "Topic retention (ms)")
          .define(
              TOPIC_RETENTION_BYTES_CONFIG,
              Type.LONG,
              -1L,
              ConfigDef.Range.atLeast(-1),
              Importance.LOW,
              TOPIC_RETENTION_BYTES_DOC,
              TOPICS_GROUP,
              5,
              Width.SHORT,
              "Topic retention (bytes)")
          .define(
              TOPIC_CLEANUP_POLICY_CONFIG,
              Type.LIST,
              "delete",
              ConfigDef.ValidList.in(false, TopicRetention.CLEANUP_POLICIES.toArray(String[]::new)),
              Importance.LOW,
              TOPIC_CLEANUP_POLICY_DOC,
              TOPICS_GROUP,
              6,
              Width.SHORT,
              "Cleanup policy of keyed streams' topics")
          .define(
              BOOTSTRAP_SERVERS_CONFIG,
              Type.STRING,
              "",
              Importance.HIGH,
              BOOTSTRAP_SERVERS_DOC,
              TOPICS_GROUP,
              7,
              Width.LONG,
              "Bootstrap servers")
          .define(
              RECORD_FORMAT_CONFIG,
              Type.STRING,
              RecordFormat.JSON.configValue(),
              ConfigDef.CaseInsensitiveValidString.in(RecordFormat.configValues()),
              Importance.MEDIUM,
              RECORD_FORMAT_DOC,
              TOPICS_GROUP,
              8,
              Width.SHORT,
              "Record format")
          .define(
              SYNC_INTERVAL_CONFIG,
              Type.LONG,
              3_600_000L,
              ConfigDef.Range.atLeast(0),
              Importance.MEDIUM,
              SYNC_INTERVAL_DOC,
              SYNC_GROUP,
              1,
              Width.SHORT,
              "Sync interval (ms)")
          .define(
              SYNC_RESUME_SCHEDULE_CONFIG,
              Type.BOOLEAN,
              true,
              Importance.LOW,
              SYNC_RESUME_SCHEDULE_DOC,
              SYNC_GROUP,
              2,
              Width.SHORT,
              "Keep the schedule on restart")
          .define(
              SYNC_RETRIES_CONFIG,
              Type.INT,
              3,
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              SYNC_RETRIES_DOC,
              SYNC_GROUP,
              3,
              Width.SHORT,
              "Retries")
          .define(
              SYNC_RETRY_BACKOFF_CONFIG,
              Type.LONG,
              10_000L,
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              SYNC_RETRY_BACKOFF_DOC,
              SYNC_GROUP,
              4,
              Width.SHORT,
              "Retry backoff (ms)")
          .define(
              BATCH_SIZE_CONFIG,
              Type.INT,
              2000,
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              BATCH_SIZE_DOC,
              SYNC_GROUP,
              5,
              Width.SHORT,
              "Poll batch size");

  /**
   * Checks a per-stream list option when the connector validates: each entry is {@code
   * stream=value}, and the value is one of {@code allowed} (any when it is empty). The message
   * names the entry, the stream and the allowed values.
   */
  private record PerStreamValidator(String what, List<String> allowed)
      implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      if (!(value instanceof List<?> entries)) {
        return;
      }
      for (Object item : entries) {
        String entry = String.valueOf(item);
        if (entry.isBlank()) {
          continue;
        }
        int equals = entry.lastIndexOf('=');
        if (equals <= 0 || equals == entry.length() - 1) {
          throw new ConfigException(name, entry, "each entry is stream=" + shape());
        }
        String stream = entry.substring(0, equals).trim();
        String given = entry.substring(equals + 1).trim();
        if (!allowed.isEmpty() && !allowed.contains(given.toLowerCase(Locale.ROOT))) {
          throw new ConfigException(
              name,
              entry,
              "the "
                  + what
                  + " of stream '"
                  + stream
                  + "' is '"
                  + given
                  + "'; it must be one of "
                  + String.join(", ", allowed));
        }
      }
    }

    private String shape() {
      return allowed.isEmpty() ? "<" + what + ">" : String.join("|", allowed);
    }

    @Override
    public String toString() {
      return "stream=" + shape() + ", comma separated";
    }
  }

  /**
   * What a record value is: a schemaless map, the record's JSON bytes, or a Struct with a schema.
   */
  public enum RecordFormat {
    JSON,
    RAW,
    STRUCT,
    AVRO;

    /** Whether Connect gets the value as bytes, which only ByteArrayConverter passes on as is. */
    boolean isBytes() {
      return this == RAW || this == AVRO;
    }

    String configValue() {
      return name().toLowerCase(Locale.ROOT);
    }

    static String[] configValues() {
      return Arrays.stream(values()).map(RecordFormat::configValue).toArray(String[]::new);
    }
  }

  private final Map<String, String> originalStrings;

  public AirbyteSourceConfig(Map<String, String> props) {
    // doLog=false: AbstractConfig would log airbyte.config in full; secrets belong in PASSWORD
    // options, but a user may still have pasted one there.
    super(CONFIG_DEF, props, false);
    this.originalStrings = Map.copyOf(props);
  }

  public String connectorName() {
    return ConnectorSettings.connectorName(this);
  }

  /**
   * The runtime's options for the executor this config chooses, with the connector's config updates
   * kept in {@code airbyte.config.updates.dir}.
   */
  public ConnectorOptions connectorOptions() {
    return ConnectorSettings.options(this)
        .withConfigUpdates(ConnectorSettings.configUpdates(this, ConnectorSettings.Role.SOURCE));
  }

  /**
   * The connector's config: {@code airbyte.config} with every {@code airbyte.secret.<path>} option
   * put in at its path. Fails with an {@link AkbException} naming the option when the JSON is bad.
   */
  public ObjectNode connectorConfig() {
    ObjectNode config = connectorConfigWithoutSecrets();
    secrets().forEach((path, secret) -> SecretFields.put(config, path, secret.value()));
    return config;
  }

  /** {@code airbyte.config} alone, as the user wrote it. */
  public ObjectNode connectorConfigWithoutSecrets() {
    return ConnectorSettings.connectorConfig(this);
  }

  /** The {@code airbyte.secret.*} options, by field path (dot separated). */
  public Map<String, Password> secrets() {
    Map<String, Password> secrets = new LinkedHashMap<>();
    originalStrings.forEach(
        (key, value) -> {
          if (key.startsWith(SECRET_PREFIX) && key.length() > SECRET_PREFIX.length()) {
            secrets.put(key.substring(SECRET_PREFIX.length()), new Password(value));
          }
        });
    return secrets;
  }

  /** Selected streams by qualified name; empty means all. */
  public List<String> streams() {
    return getList(STREAMS_CONFIG).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** Sync mode overrides by qualified stream name. */
  public Map<String, SyncMode> syncModes() {
    Map<String, SyncMode> modes = new HashMap<>();
    perStream(SYNC_MODES_CONFIG)
        .forEach(
            (stream, mode) -> {
              try {
                modes.put(stream, SyncMode.valueOf(mode.trim().toUpperCase(Locale.ROOT)));
              } catch (IllegalArgumentException e) {
                throw new ConfigException(
                    SYNC_MODES_CONFIG,
                    stream + "=" + mode,
                    "a sync mode is 'incremental' or 'full_refresh'");
              }
            });
    return modes;
  }

  /** Cursor overrides by qualified stream name: the field path. */
  public Map<String, List<String>> cursorFields() {
    Map<String, List<String>> cursors = new HashMap<>();
    perStream(CURSOR_FIELDS_CONFIG).forEach((stream, field) -> cursors.put(stream, path(field)));
    return cursors;
  }

  /** Primary key overrides by qualified stream name: a list of field paths. */
  public Map<String, List<List<String>>> primaryKeys() {
    Map<String, List<List<String>>> keys = new HashMap<>();
    perStream(PRIMARY_KEYS_CONFIG)
        .forEach(
            (stream, fields) -> {
              List<List<String>> key = new ArrayList<>();
              for (String field : fields.split("\\|")) {
                key.add(path(field));
              }
              keys.put(stream, key);
            });
    return keys;
  }

  public String topicPrefix() {
    String prefix = getString(TOPIC_PREFIX_CONFIG);
    return prefix.isEmpty() ? TopicNames.defaultPrefix(connectorName()) : prefix;
  }

  public int topicPartitions() {
    return getInt(TOPIC_PARTITIONS_CONFIG);
  }

  public short replicationFactor() {
    return getShort(TOPIC_REPLICATION_FACTOR_CONFIG);
  }

  /**
   * Why the record format cannot work with the connector's {@code value.converter}, or null: the
   * raw and avro formats hand Connect bytes, which any converter but ByteArrayConverter would
   * re-encode (JsonConverter writes them as a base64 string), so it must be named in the
   * connector's config.
   */
  public String recordFormatProblem(Map<String, String> connectorProps) {
    if (!recordFormat().isBytes()
        || BYTE_ARRAY_CONVERTER.equals(connectorProps.get("value.converter"))) {
      return null;
    }
    return RECORD_FORMAT_CONFIG
        + "="
        + recordFormat().configValue()
        + " needs value.converter="
        + BYTE_ARRAY_CONVERTER
        + " in this connector's config (found "
        + connectorProps.getOrDefault("value.converter", "the worker's converter")
        + "): set it, or use record.format=json";
  }

  /** How long the topics the task creates keep their records. */
  public TopicRetention topicRetention() {
    return new TopicRetention(
        getLong(TOPIC_RETENTION_MS_CONFIG),
        getLong(TOPIC_RETENTION_BYTES_CONFIG),
        String.join(",", getList(TOPIC_CLEANUP_POLICY_CONFIG)));
  }

  public RecordFormat recordFormat() {
    return RecordFormat.valueOf(getString(RECORD_FORMAT_CONFIG).toUpperCase(Locale.ROOT));
  }

  public long syncIntervalMs() {
    return getLong(SYNC_INTERVAL_CONFIG);
  }

  public boolean resumeSchedule() {
    return getBoolean(SYNC_RESUME_SCHEDULE_CONFIG);
  }

  public int syncRetries() {
    return getInt(SYNC_RETRIES_CONFIG);
  }

  public long retryBackoffMs() {
    return getLong(SYNC_RETRY_BACKOFF_CONFIG);
  }

  public int batchSize() {
    return getInt(BATCH_SIZE_CONFIG);
  }

  /**
   * Settings of the task's admin client: {@code admin.override.*} without the prefix, with {@code
   * bootstrap.servers} from this connector's own option when set.
   */
  public Map<String, Object> adminClientConfig() {
    Map<String, Object> admin = new HashMap<>();
    originalStrings.forEach(
        (key, value) -> {
          if (key.startsWith(ADMIN_OVERRIDE_PREFIX)) {
            admin.put(key.substring(ADMIN_OVERRIDE_PREFIX.length()), value);
          }
        });
    String bootstrap = getString(BOOTSTRAP_SERVERS_CONFIG);
    if (!bootstrap.isBlank()) {
      admin.put(BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    }
    if (!admin.containsKey(BOOTSTRAP_SERVERS_CONFIG)) {
      throw new ConfigException(
          BOOTSTRAP_SERVERS_CONFIG,
          "",
          "the task needs the Kafka brokers to create its topics and learn their partition"
              + " counts: set bootstrap.servers (or admin.override.bootstrap.servers)");
    }
    return admin;
  }

  /** The original properties, for passing on to tasks. */
  /**
   * A SHA-256 digest of every option as given (sorted by name), for {@link SyncSchedule}: equal for
   * a task restarted with the same configuration, different once anything changed. Holds no secret
   * in the clear.
   */
  public String scheduleDigest() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      new TreeMap<>(originalStrings)
          .forEach(
              (name, value) -> {
                digest.update(name.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(String.valueOf(value).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
              });
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  public Map<String, String> originalStrings() {
    return originalStrings;
  }

  private Map<String, String> perStream(String option) {
    Map<String, String> entries = new LinkedHashMap<>();
    for (String entry : getList(option)) {
      if (entry.isBlank()) {
        continue;
      }
      int equals = entry.lastIndexOf('=');
      if (equals <= 0 || equals == entry.length() - 1) {
        throw new ConfigException(option, entry, "each entry is stream=value");
      }
      entries.put(entry.substring(0, equals).trim(), entry.substring(equals + 1).trim());
    }
    return entries;
  }

  private static List<String> path(String dotted) {
    return List.of(dotted.trim().split("\\."));
  }
}
