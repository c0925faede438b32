package io.akb.bridge.replay;

import static io.akb.bridge.testing.RunningTarget.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.testing.BridgeProcess;
import io.akb.bridge.testing.ContractProducer;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import io.akb.runtime.testkit.TokenRefreshingConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destination target of the packaged bridge whose destination, a real program, refreshes its
 * token through a CONTROL message on its first run: once the bridge is stopped and started again,
 * the destination's next run starts with the new token, kept in a 0600 file of the bridge's 0700
 * {@code akb.config-updates-dir}, and the token is in no line of the bridge's log and no REST
 * answer.
 */
class DestinationConfigUpdatesIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final JsonNode SCHEMA =
      AirbyteJson.MAPPER
          .createObjectNode()
          .put("type", "object")
          .set(
              "properties",
              AirbyteJson.MAPPER
                  .createObjectNode()
                  .set("run", AirbyteJson.MAPPER.createObjectNode().put("type", "integer")));

  @TempDir Path dir;

  private static JsonNode run(int run) {
    return AirbyteJson.MAPPER.createObjectNode().put("run", run);
  }

  private static long confirmed(BridgeProcess bridge) {
    try {
      return bridge.getJson("/targets/lake").path("recordsApplied").asLong();
    } catch (Exception notYet) {
      return 0;
    }
  }

  @Test
  void aRestartedBridgeStartsItsDestinationWithTheTokenTheDestinationRefreshed() throws Exception {
    TokenRefreshingConnector program = TokenRefreshingConnector.create(dir);
    String refreshed = program.refreshedToken();
    String prefix = "airbyte.refresh-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Path updates = dir.resolve("config-updates");
    Path log = dir.resolve("bridge.log");
    Map<String, String> props = new HashMap<>();
    props.put("akb.state-store", "duckdb:" + dir.resolve("state.duckdb"));
    props.put("akb.config-updates-dir", updates.toString());
    props.put("akb.targets.lake.destination", "destination-refreshing");
    props.put("akb.targets.lake.local-executable", program.program().toString());
    props.put("akb.targets.lake.destination-config", program.config().toString());
    props.put("akb.targets.lake.source-prefix", prefix);
    props.put("akb.targets.lake.strategy", "append");
    props.put("akb.targets.lake.topic-refresh-interval", "1s");
    props.put("akb.targets.lake.retry-backoff", "1s");
    Path file = updates.resolve("bridge-lake.json");

    try (ContractProducer source = new ContractProducer(prefix, "source-refresh")) {
      source.createTopics(Map.of("runs", 1));
      source.startSync(
          List.of(
              ContractProducer.stream(
                  "runs",
                  SCHEMA,
                  List.of(),
                  SyncMode.FULL_REFRESH,
                  List.of(),
                  DestinationSyncMode.APPEND)));
      source.record("runs", null, run(1));
      source.checkpoint("runs", run(1));
      source.flush();

      try (BridgeProcess bridge = BridgeProcess.start(props, log)) {
        bridge.awaitHttp(WAIT);
        await(
            "the destination's first run confirmed record 1 and its update is stored in " + file,
            WAIT,
            () -> confirmed(bridge) >= 1 && Files.exists(file));
      }

      source.record("runs", null, run(2));
      source.checkpoint("runs", run(2));
      source.flush();
      try (BridgeProcess bridge = BridgeProcess.start(props, log)) {
        bridge.awaitHttp(WAIT);
        await(
            "the destination's second run (after the restart) confirmed record 2",
            WAIT,
            () -> program.runs().size() == 2 && confirmed(bridge) >= 1);
        assertThat(bridge.request("GET", "/targets/lake", true).body())
            .contains("\"phase\":\"RUNNING\"")
            .doesNotContain(refreshed);
        assertThat(bridge.request("GET", "/targets", true).body()).doesNotContain(refreshed);
      }
    }

    assertThat(program.runs())
        .containsExactly("write " + TokenRefreshingConnector.FIRST_TOKEN, "write " + refreshed);
    assertThat(Files.readString(log))
        .contains("stored the config update destination-refreshing sent (fields /access_token)")
        .contains("run 2 started with access token ****")
        .doesNotContain(refreshed);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(updates)))
        .isEqualTo("rwx------");
  }
}
