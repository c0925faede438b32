package io.akb.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.connect.sink.AirbyteSinkConfig;
import io.akb.connect.sink.AirbyteSinkConnector;
import io.akb.connect.source.AirbyteSourceConfig;
import io.akb.connect.source.AirbyteSourceConnector;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.control.ConfigUpdates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectorSettingsTest {

  private static final List<String> SHARED =
      List.of(
          ConnectorSettings.CONNECTOR_NAME_CONFIG,
          ConnectorSettings.CONNECTOR_VERSION_CONFIG,
          ConnectorSettings.EXECUTOR_CONFIG,
          ConnectorSettings.PIP_URL_CONFIG,
          ConnectorSettings.DOCKER_IMAGE_CONFIG,
          ConnectorSettings.LOCAL_EXECUTABLE_CONFIG,
          ConnectorSettings.INSTALL_DIR_CONFIG,
          ConnectorSettings.CONNECTOR_CONFIG_CONFIG,
          ConnectorSettings.MAX_LINE_BYTES_CONFIG,
          ConnectorSettings.IDLE_TIMEOUT_CONFIG,
          ConnectorSettings.CONFIG_UPDATES_DIR_CONFIG);

  @TempDir Path tmp;

  @Test
  void bothConnectorsOfferTheSameAirbyteOptionsAndOnlySourcesAManifest() {
    assertThat(AirbyteSourceConfig.CONFIG_DEF.names())
        .containsAll(SHARED)
        .contains(ConnectorSettings.MANIFEST_CONFIG);
    assertThat(AirbyteSinkConfig.CONFIG_DEF.names())
        .containsAll(SHARED)
        .doesNotContain(ConnectorSettings.MANIFEST_CONFIG);
    // The sink has no airbyte.secret.* options: its whole config is hidden instead.
    assertThat(
            AirbyteSinkConfig.CONFIG_DEF
                .configKeys()
                .get(ConnectorSettings.CONNECTOR_CONFIG_CONFIG)
                .type)
        .isEqualTo(ConfigDef.Type.PASSWORD);
    assertThat(
            AirbyteSourceConfig.CONFIG_DEF
                .configKeys()
                .get(ConnectorSettings.CONNECTOR_CONFIG_CONFIG)
                .type)
        .isEqualTo(ConfigDef.Type.STRING);
  }

  @Test
  void theLineLimitReachesTheRuntimeAndDefaultsToItsOwn() {
    Map<String, String> props = sink();
    assertThat(ConnectorSettings.options(new AirbyteSinkConfig(props)).maxLineBytes())
        .isEqualTo(64 * 1024 * 1024);
    props.put(ConnectorSettings.MAX_LINE_BYTES_CONFIG, "134217728");
    assertThat(ConnectorSettings.options(new AirbyteSinkConfig(props)).maxLineBytes())
        .isEqualTo(134_217_728);
    props.put(ConnectorSettings.MAX_LINE_BYTES_CONFIG, "10");
    assertThatThrownBy(() -> new AirbyteSinkConfig(props))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("airbyte.max.line.bytes")
        .hasMessageContaining("at least 1024");
  }

  @Test
  void theIdleTimeoutReachesTheRuntimeAndDefaultsToItsOwn() {
    Map<String, String> props = source();
    assertThat(new AirbyteSourceConfig(props).connectorOptions().idleTimeout())
        .isEqualTo(ConnectorOptions.defaults().idleTimeout())
        .isEqualTo(Duration.ofMinutes(10));
    props.put(ConnectorSettings.IDLE_TIMEOUT_CONFIG, "3600000");
    assertThat(new AirbyteSourceConfig(props).connectorOptions().idleTimeout())
        .isEqualTo(Duration.ofHours(1));
    props.put(ConnectorSettings.IDLE_TIMEOUT_CONFIG, "0");
    assertThat(new AirbyteSourceConfig(props).connectorOptions().idleTimeout())
        .as("waits forever")
        .isZero();
    props.put(ConnectorSettings.IDLE_TIMEOUT_CONFIG, "-1");
    assertThatThrownBy(() -> new AirbyteSourceConfig(props))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("airbyte.idle.timeout.ms")
        .hasMessageContaining("at least 0");
  }

  @Test
  void autoPassesEveryExecutorOptionOnAndTheRuntimePicks() {
    Map<String, String> props = sink();
    props.put(ConnectorSettings.CONNECTOR_VERSION_CONFIG, "0.1.16");
    props.put(ConnectorSettings.PIP_URL_CONFIG, " airbyte-destination-ailake==0.1.16 ");
    props.put(ConnectorSettings.DOCKER_IMAGE_CONFIG, "");
    props.put(ConnectorSettings.INSTALL_DIR_CONFIG, "/opt/akb");

    ConnectorOptions options = new AirbyteSinkConfig(props).connectorOptions();

    assertThat(options.version()).isEqualTo("0.1.16");
    assertThat(options.pipUrl()).isEqualTo("airbyte-destination-ailake==0.1.16");
    assertThat(options.dockerImage()).isNull();
    assertThat(options.installDir()).isEqualTo(Path.of("/opt/akb"));
  }

  @Test
  void aNamedExecutorPassesOnlyItsOwnOption() {
    Map<String, String> props = source();
    props.put(ConnectorSettings.PIP_URL_CONFIG, "airbyte-source-faker==7.2.1");
    props.put(ConnectorSettings.EXECUTOR_CONFIG, "DOCKER");

    ConnectorOptions docker = new AirbyteSourceConfig(props).connectorOptions();
    assertThat(docker.dockerImage()).as("the registry's image").isEqualTo("true");
    assertThat(docker.pipUrl()).isNull();

    props.put(ConnectorSettings.EXECUTOR_CONFIG, "local");
    assertThat(new AirbyteSourceConfig(props).connectorOptions().localExecutable())
        .isEqualTo("source-faker");

    props.put(ConnectorSettings.EXECUTOR_CONFIG, "manifest");
    assertThatThrownBy(() -> new AirbyteSourceConfig(props).connectorOptions())
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("airbyte.executor=manifest needs a manifest");
  }

  @Test
  void aDestinationCannotRunAManifest() {
    Map<String, String> props = sink();
    props.put(ConnectorSettings.EXECUTOR_CONFIG, "manifest");
    assertThatThrownBy(() -> new AirbyteSinkConfig(props))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(ConnectorSettings.EXECUTOR_CONFIG);
  }

  @Test
  void aBadConfigIsReportedWithoutQuotingIt() {
    Map<String, String> props = sink();
    props.put(ConnectorSettings.CONNECTOR_CONFIG_CONFIG, "{\"api_key\": s3cr3t}");
    assertThatThrownBy(() -> new AirbyteSinkConfig(props).connectorConfig())
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("airbyte.config")
        .hasMessageContaining("not valid JSON at line 1, column")
        .hasMessageNotContaining("s3cr3t");

    Map<String, String> array = source();
    array.put(ConnectorSettings.CONNECTOR_CONFIG_CONFIG, "[1]");
    assertThatThrownBy(() -> new AirbyteSourceConfig(array).connectorConfigWithoutSecrets())
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("it is a JSON array, not an object");

    Map<String, String> empty = sink();
    empty.put(ConnectorSettings.CONNECTOR_CONFIG_CONFIG, " ");
    assertThat(new AirbyteSinkConfig(empty).connectorConfig().isEmpty()).isTrue();
  }

  @Test
  void configUpdatesAreKeptPerConnectorInTheGivenDirectoryOrTheDefault() {
    Map<String, String> props = source();
    props.put("name", "shop");
    assertThat(new AirbyteSourceConfig(props).connectorOptions().configUpdates())
        .isEqualTo(ConfigUpdates.inDefaultDirectory("connect-source-shop"));

    Map<String, String> sink = sink();
    sink.put("name", "lake");
    sink.put(ConnectorSettings.CONFIG_UPDATES_DIR_CONFIG, "/var/lib/akb/config-updates");
    assertThat(new AirbyteSinkConfig(sink).connectorOptions().configUpdates())
        .isEqualTo(ConfigUpdates.in(Path.of("/var/lib/akb/config-updates"), "connect-sink-lake"));

    sink.put(ConnectorSettings.CONFIG_UPDATES_DIR_CONFIG, "state/updates");
    assertThatThrownBy(() -> new AirbyteSinkConfig(sink))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("airbyte.config.updates.dir")
        .hasMessageContaining("must be an absolute path on the worker");
  }

  @Test
  void validateReportsAConfigUpdatesDirectoryOtherUsersMayRead() throws Exception {
    Path shared = tmp.resolve("shared");
    Files.createDirectories(shared);
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));
    Map<String, String> props = sink();
    props.put("name", "lake");
    props.put(ConnectorSettings.CONFIG_UPDATES_DIR_CONFIG, shared.toString());

    List<ConfigValue> values = new AirbyteSinkConnector().validate(props).configValues();

    assertThat(values)
        .filteredOn(value -> value.name().equals(ConnectorSettings.CONFIG_UPDATES_DIR_CONFIG))
        .singleElement()
        .satisfies(
            value ->
                assertThat(value.errorMessages())
                    .singleElement()
                    .asString()
                    .contains("other users may use it")
                    .contains("chmod 700 " + shared));

    Path fresh = tmp.resolve("fresh").resolve("updates");
    props.put(ConnectorSettings.CONFIG_UPDATES_DIR_CONFIG, fresh.toString());
    assertThat(new AirbyteSinkConnector().validate(props).configValues())
        .allSatisfy(value -> assertThat(value.errorMessages()).isEmpty());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)))
        .as("validate created it, private")
        .isEqualTo("rwx------");
  }

  private static Map<String, String> source() {
    Map<String, String> props = new HashMap<>();
    props.put(ConnectorSettings.CONNECTOR_NAME_CONFIG, "source-faker");
    return props;
  }

  private static Map<String, String> sink() {
    Map<String, String> props = new HashMap<>();
    props.put(ConnectorSettings.CONNECTOR_NAME_CONFIG, "destination-ailake");
    props.put("topics", "airbyte.faker.users");
    return props;
  }

  @Test
  void theSourceAndTheSinkReportOneVersion() {
    assertThat(new AirbyteSinkConnector().version())
        .isEqualTo(new AirbyteSourceConnector().version())
        .isEqualTo(ConnectorSettings.PLUGIN_VERSION);
  }
}
