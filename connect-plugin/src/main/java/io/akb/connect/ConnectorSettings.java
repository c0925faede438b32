package io.akb.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.control.ConfigUpdates;
import io.akb.runtime.protocol.AirbyteMessageReader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;

/**
 * The {@code airbyte.*} options that name the Airbyte connector and say how it runs (executor, pip
 * URL, Docker image, local program, install dir, line limit, idle timeout) and what its config is.
 * The source and the sink connector both {@link #define} them into their {@code ConfigDef} and read
 * them here, so both connectors accept the same names, values and defaults, and turn them into the
 * runtime's {@link ConnectorOptions} the same way.
 */
public final class ConnectorSettings {
  /**
   * The plugin's version, reported by the source and the sink connector alike: the jar manifest's
   * implementation version (the Maven project version), or {@code unknown} outside the jar.
   */
  public static final String PLUGIN_VERSION =
      Objects.requireNonNullElse(
          ConnectorSettings.class.getPackage().getImplementationVersion(), "unknown");

  public static final String CONNECTOR_NAME_CONFIG = "airbyte.connector.name";
  public static final String CONNECTOR_VERSION_CONFIG = "airbyte.connector.version";
  public static final String EXECUTOR_CONFIG = "airbyte.executor";
  public static final String PIP_URL_CONFIG = "airbyte.pip.url";
  public static final String DOCKER_IMAGE_CONFIG = "airbyte.docker.image";
  public static final String LOCAL_EXECUTABLE_CONFIG = "airbyte.local.executable";

  /** Sources only: declarative manifests describe sources. */
  public static final String MANIFEST_CONFIG = "airbyte.manifest";

  public static final String INSTALL_DIR_CONFIG = "airbyte.install.dir";
  public static final String CONNECTOR_CONFIG_CONFIG = "airbyte.config";
  public static final String MAX_LINE_BYTES_CONFIG = "airbyte.max.line.bytes";
  public static final String IDLE_TIMEOUT_CONFIG = "airbyte.idle.timeout.ms";
  public static final String CONFIG_UPDATES_DIR_CONFIG = "airbyte.config.updates.dir";

  /** Connect's own option: the connector's name, which names its file of config updates. */
  static final String CONNECT_NAME_CONFIG = "name";

  /** The runtime's default idle timeout, in ms: the one {@link ConnectorOptions} uses. */
  private static final long DEFAULT_IDLE_TIMEOUT_MS =
      ConnectorOptions.defaults().idleTimeout().toMillis();

  /** Which kind of Airbyte connector the options describe; it words the docs and examples. */
  public enum Role {
    /**
     * Its {@code airbyte.config} is a plain string: secret fields go in the source connector's
     * {@code airbyte.secret.<path>} options, and validation shows the config with them masked.
     */
    SOURCE(
        "source",
        "connect-source-",
        "source-faker",
        "airbyte-source-faker==7.2.1",
        "airbyte/source-faker:6.2.0"),
    /** Its {@code airbyte.config} is a password option: the sink has no separate secret options. */
    DESTINATION(
        "destination",
        "connect-sink-",
        "destination-ailake",
        "airbyte-destination-ailake==0.1.16",
        "airbyte/destination-ailake:0.1.16");

    private final String noun;
    private final String runnerPrefix;
    private final String exampleName;
    private final String examplePipUrl;
    private final String exampleImage;

    Role(
        String noun,
        String runnerPrefix,
        String exampleName,
        String examplePipUrl,
        String exampleImage) {
      this.noun = noun;
      this.runnerPrefix = runnerPrefix;
      this.exampleName = exampleName;
      this.examplePipUrl = examplePipUrl;
      this.exampleImage = exampleImage;
    }

    /** The executors this kind of connector can use: a manifest describes a source. */
    private String[] executors() {
      return Arrays.stream(ExecutorKind.values())
          .filter(kind -> kind != ExecutorKind.MANIFEST || this == SOURCE)
          .map(ExecutorKind::configValue)
          .toArray(String[]::new);
    }
  }

  /** How the connector program is started. */
  public enum ExecutorKind {
    AUTO,
    VENV,
    DOCKER,
    LOCAL,
    MANIFEST;

    String configValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private ConnectorSettings() {}

  /**
   * Adds the {@code airbyte.*} options to {@code def} in the group {@code group}, ordered first.
   *
   * @return {@code def}, for chaining further options
   */
  public static ConfigDef define(ConfigDef def, Role role, String group) {
    String noun = role.noun;
    String[] executors = role.executors();
    int order = 0;
    def.define(
            CONNECTOR_NAME_CONFIG,
            Type.STRING,
            ConfigDef.NO_DEFAULT_VALUE,
            new ConfigDef.NonEmptyString(),
            Importance.HIGH,
            "Name of the Airbyte "
                + noun
                + " in the connector registry, such as "
                + role.exampleName
                + ". It picks the PyPI package, Docker image and default version"
                + (role == Role.SOURCE ? ", and names the default topic prefix." : "."),
            group,
            ++order,
            Width.MEDIUM,
            "Connector name")
        .define(
            CONNECTOR_VERSION_CONFIG,
            Type.STRING,
            "",
            Importance.LOW,
            "Version of the connector to install; empty means the version pinned by AKB's"
                + " registry.",
            group,
            ++order,
            Width.SHORT,
            "Connector version")
        .define(
            EXECUTOR_CONFIG,
            Type.STRING,
            ExecutorKind.AUTO.configValue(),
            ConfigDef.CaseInsensitiveValidString.in(executors),
            Importance.MEDIUM,
            "How the connector runs: 'auto' (a local program if one is set, else a Python venv"
                + " from PyPI, else the Docker image, as PyAirbyte chooses), "
                + quotedList(Arrays.copyOfRange(executors, 1, executors.length))
                + ".",
            group,
            ++order,
            Width.SHORT,
            "Executor")
        .define(
            PIP_URL_CONFIG,
            Type.STRING,
            "",
            Importance.LOW,
            "pip requirement or URL installed into the connector's venv instead of the registry's"
                + " package, such as '"
                + role.examplePipUrl
                + "' or a git URL.",
            group,
            ++order,
            Width.LONG,
            "pip URL")
        .define(
            DOCKER_IMAGE_CONFIG,
            Type.STRING,
            "",
            Importance.LOW,
            "Docker image to run, such as "
                + role.exampleImage
                + "; the worker must reach a Docker engine.",
            group,
            ++order,
            Width.LONG,
            "Docker image")
        .define(
            LOCAL_EXECUTABLE_CONFIG,
            Type.STRING,
            "",
            Importance.LOW,
            "A connector program already on the worker: a name on PATH or an absolute path.",
            group,
            ++order,
            Width.LONG,
            "Local program");
    if (role == Role.SOURCE) {
      def.define(
          MANIFEST_CONFIG,
          Type.STRING,
          "",
          Importance.LOW,
          "Path or URL of a declarative (low-code) YAML manifest, run through"
              + " airbyte-source-declarative-manifest.",
          group,
          ++order,
          Width.LONG,
          "Manifest");
    }
    return def.define(
            INSTALL_DIR_CONFIG,
            Type.STRING,
            "",
            Importance.LOW,
            "Where venvs are installed; empty means AKB_INSTALL_DIR, else ~/.cache/akb, of the"
                + " worker.",
            group,
            ++order,
            Width.LONG,
            "Install directory")
        .define(
            CONNECTOR_CONFIG_CONFIG,
            role == Role.SOURCE ? Type.STRING : Type.PASSWORD,
            "{}",
            Importance.HIGH,
            role == Role.SOURCE
                ? "The connector's config as a JSON object, as its spec describes it. Put secret"
                    + " fields in airbyte.secret.<field path> options (or use"
                    + " ${env:...}/${file:...} references) so their values stay hidden."
                : "The connector's config as a JSON object, as its spec describes it. A password"
                    + " option, so Connect hides it in logs; use ${file:...} or ${env:...} config"
                    + " provider references to keep secrets out of Connect's stored config.",
            group,
            ++order,
            Width.LONG,
            "Connector config (JSON)")
        .define(
            MAX_LINE_BYTES_CONFIG,
            Type.INT,
            AirbyteMessageReader.DEFAULT_MAX_LINE_BYTES,
            ConfigDef.Range.atLeast(1024),
            Importance.LOW,
            "Largest line of the connector's output, in bytes: one message, so the largest"
                + " record. A longer line fails the sync (before it fills the worker's heap); a"
                + " record parses whole up to this size, which takes a few times its size in heap.",
            group,
            ++order,
            Width.SHORT,
            "Max line bytes")
        .define(
            IDLE_TIMEOUT_CONFIG,
            Type.LONG,
            DEFAULT_IDLE_TIMEOUT_MS,
            ConfigDef.Range.atLeast(0),
            Importance.LOW,
            "How long the connector may print nothing (no record, state or log line) before it is"
                + " killed and its run fails, in ms; 0 waits forever. Raise it for a "
                + noun
                + " that is silent for long while it works (a slow API, a large query)."
                + (role == Role.DESTINATION
                    ? " A destination's write waits for its input and is never timed out."
                    : ""),
            group,
            ++order,
            Width.SHORT,
            "Idle timeout (ms)")
        .define(
            CONFIG_UPDATES_DIR_CONFIG,
            Type.STRING,
            "",
            new AbsolutePathOrEmpty(),
            Importance.LOW,
            "Directory on the worker where the config updates the "
                + noun
                + " sends (CONTROL messages, such as a refreshed OAuth token) are kept: in "
                + role.runnerPrefix
                + "<connector name>.json, mode 0600 in a 0700 directory, readable by the worker's"
                + " user only and never written to Connect's configs, offsets or logs. Every"
                + " later run of the connector's tasks on this worker starts with them (fields the"
                + " user changed in "
                + CONNECTOR_CONFIG_CONFIG
                + " since keep the user's value). Empty means $"
                + ConfigUpdates.DIRECTORY_ENV
                + ", else ~/.local/state/akb/config-updates, of the worker. A task moved to"
                + " another worker finds that worker's file: mount one private volume at this"
                + " path on every worker to keep updates across moves.",
            group,
            ++order,
            Width.LONG,
            "Config updates directory");
  }

  /**
   * Where the connector's config updates are kept, under the runner name {@code
   * connect-source-<name>} or {@code connect-sink-<name>} ({@code name} is Connect's connector
   * name; the Airbyte connector's name where there is none, as in tests driving a task alone).
   */
  public static ConfigUpdates configUpdates(AbstractConfig config, Role role) {
    Object connectName = config.originals().get(CONNECT_NAME_CONFIG);
    String runner =
        role.runnerPrefix
            + (connectName == null || connectName.toString().isBlank()
                ? connectorName(config)
                : connectName.toString().trim());
    String dir = string(config, CONFIG_UPDATES_DIR_CONFIG);
    return dir == null
        ? ConfigUpdates.inDefaultDirectory(runner)
        : ConfigUpdates.in(Path.of(dir), runner);
  }

  /**
   * For a connector's {@code validate}: the config updates directory must be usable on this worker
   * (it is created when missing); a problem goes on {@code airbyte.config.updates.dir}. The default
   * directory may be impossible to create (a read-only home): that is no error, since only a
   * connector that sends an update needs it (its run then fails saying so); one that exists and
   * others may read always is.
   */
  public static void validateConfigUpdates(
      AbstractConfig config, Role role, Map<String, ConfigValue> values) {
    ConfigValue value = values.get(CONFIG_UPDATES_DIR_CONFIG);
    if (value == null || !value.errorMessages().isEmpty()) {
      return;
    }
    ConfigUpdates updates = configUpdates(config, role);
    try {
      updates.checkDirectory();
    } catch (AkbException e) {
      boolean defaultNotCreated =
          string(config, CONFIG_UPDATES_DIR_CONFIG) == null
              && !Files.exists(updates.directory(), LinkOption.NOFOLLOW_LINKS);
      if (!defaultNotCreated) {
        value.addErrorMessage(e.summary());
      }
    }
  }

  /** A worker's relative path depends on where it was started: only absolute ones are taken. */
  static final class AbsolutePathOrEmpty implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String path = value == null ? "" : value.toString().trim();
      if (!path.isEmpty() && !Path.of(path).isAbsolute()) {
        throw new ConfigException(
            name, value, "must be an absolute path on the worker, or empty for the default");
      }
    }

    @Override
    public String toString() {
      return "an absolute path, or empty";
    }
  }

  /** {@code airbyte.connector.name}. */
  public static String connectorName(AbstractConfig config) {
    return config.getString(CONNECTOR_NAME_CONFIG);
  }

  /** {@code airbyte.executor}. */
  public static ExecutorKind executor(AbstractConfig config) {
    return ExecutorKind.valueOf(config.getString(EXECUTOR_CONFIG).toUpperCase(Locale.ROOT));
  }

  /**
   * The runtime's options for the executor the config chooses: with {@code auto}, every executor
   * option set is passed on and the runtime picks as PyAirbyte does; a named executor passes on its
   * own option only.
   *
   * @throws AkbException when {@code airbyte.executor=manifest} has no manifest
   */
  public static ConnectorOptions options(AbstractConfig config) {
    String pipUrl = string(config, PIP_URL_CONFIG);
    String dockerImage = string(config, DOCKER_IMAGE_CONFIG);
    String localExecutable = string(config, LOCAL_EXECUTABLE_CONFIG);
    // A destination's ConfigDef has no manifest option.
    String manifest =
        config.values().containsKey(MANIFEST_CONFIG) ? string(config, MANIFEST_CONFIG) : null;
    String installDir = string(config, INSTALL_DIR_CONFIG);
    ConnectorOptions options =
        ConnectorOptions.defaults()
            .withVersion(string(config, CONNECTOR_VERSION_CONFIG))
            .withMaxLineBytes(config.getInt(MAX_LINE_BYTES_CONFIG))
            .withIdleTimeout(Duration.ofMillis(config.getLong(IDLE_TIMEOUT_CONFIG)));
    if (installDir != null) {
      options = options.withInstallDir(Path.of(installDir));
    }
    return switch (executor(config)) {
      case AUTO ->
          options
              .withPipUrl(pipUrl)
              .withDockerImage(dockerImage)
              .withLocalExecutable(localExecutable)
              .withManifest(manifest);
      case VENV -> options.withPipUrl(pipUrl);
      // "true" asks the runtime for the registry's image of the connector.
      case DOCKER -> options.withDockerImage(dockerImage == null ? "true" : dockerImage);
      case LOCAL ->
          options.withLocalExecutable(
              localExecutable == null ? connectorName(config) : localExecutable);
      case MANIFEST -> {
        if (manifest == null) {
          throw new AkbException(
              "Choosing the executor",
              EXECUTOR_CONFIG + "=manifest needs a manifest",
              "Set " + MANIFEST_CONFIG + " to the manifest's path or URL.");
        }
        yield options.withManifest(manifest);
      }
    };
  }

  /**
   * {@code airbyte.config} as the user wrote it (empty means {@code {}}).
   *
   * @throws AkbException naming the option, and where the JSON is wrong, when it is not one JSON
   *     object; the message quotes none of the value, which may hold secrets
   */
  public static ObjectNode connectorConfig(AbstractConfig config) {
    Object value = config.values().get(CONNECTOR_CONFIG_CONFIG);
    String json = value instanceof Password password ? password.value() : (String) value;
    String what = "Reading " + CONNECTOR_CONFIG_CONFIG;
    JsonNode parsed;
    try {
      parsed =
          Airbyte.parseConfig(connectorName(config), json == null || json.isBlank() ? "{}" : json);
    } catch (AkbException notJson) {
      // Named by the option the user edits; the runtime's reason already quotes none of the text.
      throw new AkbException(what, notJson.why(), notJson.hint());
    }
    if (!parsed.isObject()) {
      throw new AkbException(
          what,
          "it is a JSON "
              + parsed.getNodeType().name().toLowerCase(Locale.ROOT)
              + ", not an object",
          "Give the connector's config as one JSON object.");
    }
    return (ObjectNode) parsed;
  }

  /** {@code 'a', 'b' or 'c'}. */
  private static String quotedList(String[] values) {
    String quoted = "'" + String.join("', '", values) + "'";
    int last = quoted.lastIndexOf(", ");
    return last < 0 ? quoted : quoted.substring(0, last) + " or " + quoted.substring(last + 2);
  }

  /** A string option, trimmed; null when blank. */
  private static String string(AbstractConfig config, String name) {
    String value = config.getString(name);
    return value == null || value.isBlank() ? null : value.trim();
  }
}
