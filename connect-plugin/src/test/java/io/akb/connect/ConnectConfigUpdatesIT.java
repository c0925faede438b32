package io.akb.connect;

import static io.akb.connect.ConnectTestCluster.count;
import static org.assertj.core.api.Assertions.assertThat;

import io.akb.runtime.testkit.TokenRefreshingConnector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config updates of the source and the sink connector in a real Connect worker, with a real
 * connector program that refreshes its token through a CONTROL message on its first run: after a
 * task restart over REST, its next run starts with the new token, which no worker log line and no
 * REST answer shows, and which is kept in a 0600 file of a 0700 directory.
 */
class ConnectConfigUpdatesIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static ConnectTestCluster cluster;

  @TempDir static Path tmp;

  @BeforeAll
  static void startCluster() {
    cluster = ConnectTestCluster.start("akb-config-updates-it", false);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static TokenRefreshingConnector program(String name) throws Exception {
    return TokenRefreshingConnector.create(Files.createDirectories(tmp.resolve(name)));
  }

  private static String rest(String resource) {
    // The embedded cluster answers with the body already read as text.
    return String.valueOf(
        cluster.connect.requestGet(cluster.connect.endpointForResource(resource)).getEntity());
  }

  private static String workerLog() throws Exception {
    return Files.readString(
        Path.of(System.getProperty("org.slf4j.simpleLogger.logFile")), StandardCharsets.UTF_8);
  }

  private static void assertPrivate(Path file) throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void aRestartedSourceTaskSyncsWithTheTokenItsConnectorRefreshed() throws Exception {
    TokenRefreshingConnector program = program("source");
    String refreshed = program.refreshedToken();
    Path updates = tmp.resolve("source-updates");
    String name = "refreshing-source";
    String prefix = "refreshing.";
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", ConnectTestCluster.SOURCE_CONNECTOR_CLASS);
    config.put("tasks.max", "1");
    config.put("airbyte.connector.name", "source-refreshing");
    config.put("airbyte.executor", "local");
    config.put("airbyte.local.executable", program.program().toString());
    config.put(
        "airbyte.config", "{\"witness\": \"" + program.config().get("witness").asText() + "\"}");
    config.put("airbyte.secret.access_token", TokenRefreshingConnector.FIRST_TOKEN);
    config.put("airbyte.config.updates.dir", updates.toString());
    config.put("topic.prefix", prefix);
    config.put("bootstrap.servers", cluster.bootstrapServers());
    config.put("sync.interval.ms", "3600000");
    // A restarted task syncs at once, not an hour after the last sync.
    config.put("sync.resume.schedule", "false");

    cluster.connect.configureConnector(name, config);
    cluster.awaitStateEvents(
        prefix + "_state", false, e -> count(e, "SYNC_COMPLETED", "SUCCEEDED") == 1, WAIT);
    Path file = updates.resolve("connect-source-" + name + ".json");
    cluster.await("the update stored", () -> Files.exists(file), WAIT, () -> "no " + file);

    cluster.connect.restartTask(name, 0);
    cluster.awaitStateEvents(
        prefix + "_state", false, e -> count(e, "SYNC_COMPLETED", "SUCCEEDED") == 2, WAIT);

    assertThat(program.runs())
        .containsExactly("read " + TokenRefreshingConnector.FIRST_TOKEN, "read " + refreshed);
    List<ConsumerRecord<byte[], byte[]>> records = cluster.readAll(prefix + "runs", false);
    assertThat(records)
        .extracting(record -> ConnectTestCluster.json(record.value()).get("run").asInt())
        .containsExactly(1, 2);
    assertThat(workerLog())
        .contains("stored the config update source-refreshing sent (fields /access_token)")
        .contains("run 2 started with access token ****")
        .doesNotContain(refreshed);
    for (String resource :
        List.of(
            "connectors/" + name + "/status",
            "connectors/" + name + "/config",
            "connectors/" + name + "/offsets",
            "connectors/" + name + "/tasks")) {
      assertThat(rest(resource)).as(resource).doesNotContain(refreshed);
    }
    assertThat(Files.readString(file)).contains(refreshed);
    assertPrivate(file);
  }

  @Test
  void aRestartedSinkTaskStartsItsDestinationWithTheTokenItRefreshed() throws Exception {
    TokenRefreshingConnector program = program("sink");
    String refreshed = program.refreshedToken();
    Path updates = tmp.resolve("sink-updates");
    String name = "refreshing-sink";
    String topic = "refreshing-sink.runs";
    cluster.connect.kafka().createTopic(topic, 1);
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", ConnectTestCluster.SINK_CONNECTOR_CLASS);
    config.put("tasks.max", "1");
    config.put("topics", topic);
    config.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    config.put("airbyte.connector.name", "destination-refreshing");
    config.put("airbyte.executor", "local");
    config.put("airbyte.local.executable", program.program().toString());
    config.put("airbyte.config", program.config().toString());
    config.put("airbyte.config.updates.dir", updates.toString());
    config.put(
        "catalog",
        "{\"streams\":[{\"stream\":{\"name\":\"runs\",\"json_schema\":{},"
            + "\"supported_sync_modes\":[\"full_refresh\"]},\"sync_mode\":\"full_refresh\","
            + "\"destination_sync_mode\":\"append\"}]}");
    config.put("topic.prefix", "refreshing-sink.");
    config.put("commit.echo.wait.ms", "2000");

    cluster.connect.kafka().produce(topic, "{\"run\":1}");
    cluster.connect.configureConnector(name, config);
    Path file = updates.resolve("connect-sink-" + name + ".json");
    cluster.await(
        "the destination's first run and its stored update",
        () -> program.runs().size() == 1 && Files.exists(file),
        WAIT,
        () -> "runs " + program.runs() + ", " + file + (Files.exists(file) ? "" : " missing"));

    cluster.connect.restartTask(name, 0);
    cluster.connect.kafka().produce(topic, "{\"run\":2}");
    cluster.await(
        "the destination's second run",
        () -> program.runs().size() == 2,
        WAIT,
        () -> "runs " + program.runs());

    assertThat(program.runs())
        .containsExactly("write " + TokenRefreshingConnector.FIRST_TOKEN, "write " + refreshed);
    assertThat(workerLog())
        .contains("stored the config update destination-refreshing sent (fields /access_token)")
        .contains("run 2 started with access token ****")
        .doesNotContain(refreshed);
    for (String resource :
        List.of(
            "connectors/" + name + "/status",
            "connectors/" + name + "/config",
            "connectors/" + name + "/tasks")) {
      assertThat(rest(resource)).as(resource).doesNotContain(refreshed);
    }
    assertPrivate(file);
  }
}
