package io.akb.bridge.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.akb.cache.CacheLocation;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.control.ConfigUpdates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalSyncTest {

  private static Map<String, String> connectorConfig(ConnectorOptions connector) {
    SyncOptions options =
        new SyncOptions(
            "source-faker",
            JsonNodeFactory.instance.objectNode().put("count", 10),
            List.of("users", "products"),
            CacheLocation.parse(CacheLocation.DEFAULT),
            null,
            false,
            connector,
            null,
            Path.of(".cache"),
            Duration.ofSeconds(5),
            null);
    return new LocalSync(options, null, null)
        .connectorConfig("akb-sync-source-faker", "127.0.0.1:9092", "airbyte.source-faker.");
  }

  @Test
  void theConnectorGetsTheSourceItsStreamsAndOneSyncPerRun() {
    Map<String, String> config = connectorConfig(ConnectorOptions.defaults());

    assertThat(config)
        .containsEntry("connector.class", "io.akb.connect.source.AirbyteSourceConnector")
        .containsEntry("name", "akb-sync-source-faker")
        .containsEntry("airbyte.connector.name", "source-faker")
        .containsEntry("airbyte.config", "{\"count\":10}")
        .containsEntry("streams", "users,products")
        .containsEntry("topic.prefix", "airbyte.source-faker.")
        .containsEntry("sync.interval.ms", "86400000")
        .doesNotContainKey("airbyte.executor");
  }

  @Test
  void aDockerImageOrALocalProgramNamesItsExecutor() {
    assertThat(connectorConfig(ConnectorOptions.defaults().withDockerImage("my/faker:1")))
        .containsEntry("airbyte.executor", "docker")
        .containsEntry("airbyte.docker.image", "my/faker:1");
    assertThat(connectorConfig(ConnectorOptions.defaults().withDockerImage("true")))
        .containsEntry("airbyte.executor", "docker")
        .doesNotContainKey("airbyte.docker.image");
    assertThat(connectorConfig(ConnectorOptions.defaults().withLocalExecutable("/bin/faker")))
        .containsEntry("airbyte.executor", "local")
        .containsEntry("airbyte.local.executable", "/bin/faker");
  }

  @Test
  void theIdleTimeoutReachesTheConnector() {
    assertThat(connectorConfig(ConnectorOptions.defaults()))
        .containsEntry("airbyte.idle.timeout.ms", "600000");
    assertThat(connectorConfig(ConnectorOptions.defaults().withIdleTimeout(Duration.ofSeconds(90))))
        .containsEntry("airbyte.idle.timeout.ms", "90000");
    assertThat(connectorConfig(ConnectorOptions.defaults().withIdleTimeout(Duration.ZERO)))
        .containsEntry("airbyte.idle.timeout.ms", "0");
  }

  @Test
  void aConfigUpdatesDirectoryAskedForReachesTheConnector() {
    assertThat(connectorConfig(ConnectorOptions.defaults()))
        .doesNotContainKey("airbyte.config.updates.dir");
    Path dir = Path.of("updates").toAbsolutePath();
    assertThat(
            connectorConfig(
                ConnectorOptions.defaults()
                    .withConfigUpdates(
                        ConfigUpdates.in(dir, "connect-source-akb-sync-source-faker"))))
        .containsEntry("airbyte.config.updates.dir", dir.toString());
  }
}
