package io.akb.connect.source;

import static io.akb.connect.ConnectTestCluster.count;
import static io.akb.connect.ConnectTestCluster.header;
import static io.akb.connect.ConnectTestCluster.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.connect.ConnectTestCluster;
import io.akb.runtime.protocol.AirbyteJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source connector in a real Connect cluster with the real source-faker: records, keys and
 * headers in their topics, checkpoints matching the topics, committed offsets holding the state,
 * resuming from them after a worker restart, and validation through the REST API. One cluster for
 * all tests; each test uses its own topic prefix.
 */
class AirbyteSourceConnectorIT {
  private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(4);

  private static ConnectTestCluster cluster;

  @TempDir static Path tmp;

  @BeforeAll
  static void startCluster() {
    cluster = ConnectTestCluster.start("akb-source-it", false);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private Map<String, String> fakerConfig(String prefix, int count, int tasks) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", ConnectTestCluster.SOURCE_CONNECTOR_CLASS);
    config.put("tasks.max", String.valueOf(tasks));
    config.put("airbyte.connector.name", "source-faker");
    config.put(
        "airbyte.config",
        "{\"count\": " + count + ", \"seed\": 7, \"always_updated\": false, \"parallelism\": 1}");
    config.put("topic.prefix", prefix);
    config.put("topic.partitions", "3");
    config.put("bootstrap.servers", cluster.bootstrapServers());
    config.put("sync.interval.ms", "3600000");
    return config;
  }

  @Test
  void fakerRecordsLandInTheirTopicsExactlyOnceWithCheckpointsAndOffsets() throws Exception {
    String prefix = "faker5k.";
    String stateTopic = prefix + "_state";
    cluster.connect.configureConnector("faker5k", fakerConfig(prefix, 5000, 2));

    List<JsonNode> events =
        cluster.awaitStateEvents(
            stateTopic, false, e -> count(e, "SYNC_COMPLETED", "SUCCEEDED") == 2, SYNC_TIMEOUT);
    assertThat(count(events, "SYNC_COMPLETED", "FAILED")).isZero();
    assertThat(count(events, "SYNC_STARTED", null)).isEqualTo(2);

    Map<String, JsonNode> startedByTask = new HashMap<>();
    Map<String, JsonNode> completedByTask = new HashMap<>();
    for (JsonNode event : events) {
      if (event.path("type").asText().equals("SYNC_STARTED")) {
        startedByTask.put(event.path("task").asText(), event);
      } else if (event.path("type").asText().equals("SYNC_COMPLETED")) {
        completedByTask.put(event.path("task").asText(), event);
      }
    }
    assertThat(startedByTask.keySet()).containsExactlyInAnyOrder("faker5k-0", "faker5k-1");

    // users: every id once, keyed by its primary key, headers naming stream and sync.
    String usersTopic = prefix + "users";
    List<ConsumerRecord<byte[], byte[]>> users = cluster.readAll(usersTopic, false);
    assertThat(users).hasSize(5000);
    Set<String> syncIds =
        startedByTask.values().stream()
            .map(e -> e.path("sync_id").asText())
            .collect(Collectors.toSet());
    List<Long> ids = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : users) {
      JsonNode value = json(record.value());
      JsonNode key = json(record.key());
      ids.add(value.path("id").asLong());
      assertThat(key.path("id").asLong()).isEqualTo(value.path("id").asLong());
      assertThat(key.size()).isEqualTo(1);
      assertThat(header(record, "airbyte.stream")).isEqualTo("users");
      assertThat(syncIds).contains(header(record, "airbyte.sync_id"));
      assertThat(record.timestamp()).isPositive();
    }
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(ids)
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 5000).boxed().toList());
    // A key always lands in the same partition: murmur2 of the key, like Kafka's partitioner.
    assertThat(users.stream().map(ConsumerRecord::partition).distinct().count()).isEqualTo(3);

    // Every topic/partition holds exactly what the checkpoints and the final counts say.
    Map<String, Long> finalCounts = new TreeMap<>();
    completedByTask
        .values()
        .forEach(
            e ->
                e.path("counts")
                    .fields()
                    .forEachRemaining(f -> finalCounts.put(f.getKey(), f.getValue().asLong())));
    Map<String, Long> lastCheckpointCounts = new TreeMap<>();
    Map<String, JsonNode> lastStateByStream = new HashMap<>();
    for (JsonNode event : events) {
      if (event.path("type").asText().equals("CHECKPOINT")) {
        event
            .path("counts")
            .fields()
            .forEachRemaining(
                f -> lastCheckpointCounts.merge(f.getKey(), f.getValue().asLong(), Math::max));
        JsonNode state = event.path("state");
        lastStateByStream.put(
            state.path("stream").path("stream_descriptor").path("name").asText(),
            ConnectTestCluster.plain(state));
      }
    }
    assertThat(lastStateByStream.keySet())
        .containsExactlyInAnyOrder("users", "products", "purchases");
    Map<String, Long> actual = new TreeMap<>();
    for (String stream : List.of("users", "products", "purchases")) {
      for (ConsumerRecord<byte[], byte[]> record : cluster.readAll(prefix + stream, false)) {
        actual.merge(record.topic() + "/" + record.partition(), 1L, Long::sum);
      }
    }
    assertThat(finalCounts).isEqualTo(actual);
    // faker checkpoints after its last record of each stream, so the last checkpoint covers all.
    assertThat(lastCheckpointCounts).isEqualTo(actual);

    // Connect committed the last state of each stream as that stream's offset.
    long deadline = System.currentTimeMillis() + 60_000;
    Map<String, JsonNode> committed;
    while (true) {
      committed = committedStates("faker5k");
      if (committed.equals(lastStateByStream) || System.currentTimeMillis() > deadline) {
        break;
      }
      Thread.sleep(500);
    }
    assertThat(committed).isEqualTo(lastStateByStream);

    // The offsets REST API: what cannot be resumed from is refused, a reset empties them.
    cluster.connect.stopConnector("faker5k");
    cluster.connect.assertions().assertConnectorIsStopped("faker5k", "stopping faker5k");
    String productsState =
        "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"products\"},"
            + "\"stream_state\":{}}}";
    assertThatThrownBy(
            () ->
                cluster.connect.alterSourceConnectorOffset(
                    "faker5k", Map.of("stream", "users"), Map.of("state", productsState)))
        .hasMessageContaining("belongs under the partition {stream=products}");
    cluster.connect.resetConnectorOffsets("faker5k");
    assertThat(committedStates("faker5k")).isEmpty();
    cluster.connect.deleteConnector("faker5k");
  }

  /** The STATE committed per stream, from GET /connectors/{name}/offsets. */
  private static Map<String, JsonNode> committedStates(String connector) throws Exception {
    ConnectorOffsets offsets = cluster.connect.connectorOffsets(connector);
    Map<String, JsonNode> states = new HashMap<>();
    for (ConnectorOffset offset : offsets.offsets()) {
      Object stream = offset.partition().get("stream");
      Object state = offset.offset() == null ? null : offset.offset().get("state");
      if (stream != null && state != null) {
        states.put(
            stream.toString(), ConnectTestCluster.plain(AirbyteJson.parse(state.toString())));
      }
    }
    return states;
  }

  @Test
  void afterAWorkerRestartTheNextSyncResumesFromTheCommittedState() throws Exception {
    String prefix = "fakerrestart.";
    String stateTopic = prefix + "_state";
    Map<String, String> config = fakerConfig(prefix, 300, 1);
    // The restarted worker's task syncs again at once instead of keeping the hour's schedule.
    config.put("sync.interval.ms", "3600000");
    config.put("sync.resume.schedule", "false");
    cluster.connect.configureConnector("fakerrestart", config);
    List<JsonNode> first =
        cluster.awaitStateEvents(
            stateTopic, false, e -> count(e, "SYNC_COMPLETED", "SUCCEEDED") == 1, SYNC_TIMEOUT);
    long usersAfterFirst = cluster.readAll(prefix + "users", false).size();
    assertThat(usersAfterFirst).isEqualTo(300);
    // Wait until the first sync's states are committed before stopping the worker.
    long deadline = System.currentTimeMillis() + 60_000;
    while (committedStates("fakerrestart").size() < 3) {
      assertThat(System.currentTimeMillis()).isLessThan(deadline);
      Thread.sleep(500);
    }

    cluster.connect.removeWorker();
    cluster.connect.addWorker();

    List<JsonNode> events =
        cluster.awaitStateEvents(
            stateTopic, false, e -> count(e, "SYNC_COMPLETED", "SUCCEEDED") == 2, SYNC_TIMEOUT);
    JsonNode secondCompleted =
        events.stream()
            .filter(e -> e.path("type").asText().equals("SYNC_COMPLETED"))
            .reduce((a, b) -> b)
            .orElseThrow();
    String firstSyncId =
        first.stream()
            .filter(e -> e.path("type").asText().equals("SYNC_STARTED"))
            .findFirst()
            .orElseThrow()
            .path("sync_id")
            .asText();
    assertThat(secondCompleted.path("sync_id").asText()).isNotEqualTo(firstSyncId);
    // faker's incremental streams resumed from their state: nothing new, nothing read again.
    long secondSyncRecords = 0;
    for (var count : (Iterable<JsonNode>) () -> secondCompleted.path("counts").elements()) {
      secondSyncRecords += count.asLong();
    }
    assertThat(secondSyncRecords).isZero();
    assertThat(cluster.readAll(prefix + "users", false)).hasSize(300);
    cluster.connect.deleteConnector("fakerrestart");
  }

  @Test
  void validationReportsSpecAndCheckFailuresPerFieldWithoutLeakingTheSecret() throws Exception {
    Path program = ConnectTestCluster.countingSource(tmp);
    String secret = "wrong-key-7f3a9c";
    Path secrets = tmp.resolve("secrets.properties");
    Files.writeString(secrets, "api_key=" + secret + "\n");

    Map<String, String> config = cluster.countingSourceConfig(program, "validate.", "{}");
    config.put("name", "counting-validate");
    // The secret comes through Kafka's file config provider into a PASSWORD option.
    config.put("airbyte.secret.api_key", "${file:" + secrets + ":api_key}");

    // 1. The config does not match the spec: count is not an integer.
    config.put("airbyte.config", "{\"count\": \"many\"}");
    String specAnswer = validate(config);
    JsonNode specErrors = errorsByField(specAnswer);
    assertThat(specErrors.path("airbyte.config").toString())
        .contains("$.count")
        .contains("integer");
    assertThat(specAnswer).doesNotContain(secret);

    // 2. The config matches the spec but check fails: the connector's message is reported.
    config.put("airbyte.config", "{\"count\": 10}");
    String checkAnswer = validate(config);
    JsonNode checkErrors = errorsByField(checkAnswer);
    assertThat(checkErrors.path("airbyte.config").toString())
        .contains("check failed")
        .contains("invalid API key");
    assertThat(checkAnswer).doesNotContain(secret);
    assertThat(checkAnswer).contains("airbyte.secret.api_key");

    // 3. A missing required secret is reported on its own option.
    config.remove("airbyte.secret.api_key");
    JsonNode missingErrors = errorsByField(validate(config));
    assertThat(missingErrors.path("airbyte.secret.api_key").toString()).contains("api_key");

    // 4. The right key passes.
    Files.writeString(secrets, "api_key=open-sesame\n");
    config.put("airbyte.secret.api_key", "${file:" + secrets + ":api_key}");
    assertThat(errorsByField(validate(config)).size()).isZero();

    String log = System.getProperty("org.slf4j.simpleLogger.logFile");
    if (log != null && Files.exists(Path.of(log))) {
      assertThat(Files.readString(Path.of(log), StandardCharsets.UTF_8)).doesNotContain(secret);
    }
  }

  @Test
  void aFailingConnectorIsRetriedThenFailsTheTaskWithItsLastLogLines() throws Exception {
    Path program = ConnectTestCluster.countingSource(tmp);
    String prefix = "crashing.";
    Map<String, String> config =
        cluster.countingSourceConfig(
            program, prefix, "{\"count\": 100, \"state_every\": 10, \"crash_after\": 25}");
    config.put("sync.retries", "1");
    config.put("sync.retry.backoff.ms", "200");
    cluster.connect.configureConnector("crashing", config);

    List<JsonNode> events =
        cluster.awaitStateEvents(
            prefix + "_state", false, e -> count(e, "SYNC_COMPLETED", "FAILED") == 2, SYNC_TIMEOUT);
    JsonNode failed =
        events.stream()
            .filter(e -> e.path("status").asText().equals("FAILED"))
            .findFirst()
            .orElseThrow();
    assertThat(failed.path("error").asText()).contains("boom: the numbers service answered 503");
    // The retry resumed from the first attempt's last checkpoint (20), so it read 21..45.
    assertThat(cluster.readAll(prefix + "numbers", false)).hasSize(25 + 25);

    long deadline = System.currentTimeMillis() + 60_000;
    String trace = null;
    while (System.currentTimeMillis() < deadline) {
      var status = cluster.connect.connectorStatus("crashing");
      if (!status.tasks().isEmpty() && status.tasks().get(0).state().equals("FAILED")) {
        trace = status.tasks().get(0).trace();
        break;
      }
      Thread.sleep(300);
    }
    assertThat(trace).as("task status").isNotNull();
    assertThat(trace).contains("boom: the numbers service answered 503");
    cluster.connect.deleteConnector("crashing");
  }

  private static String validate(Map<String, String> config) throws Exception {
    var response =
        cluster.connect.requestPut(
            cluster.connect.endpointForResource(
                "connector-plugins/AirbyteSourceConnector/config/validate"),
            AirbyteJson.toJson(config));
    String body = response.getEntity() == null ? "" : response.getEntity().toString();
    assertThat(response.getStatus()).as(body).isEqualTo(200);
    return body;
  }

  /** {option: [error, ...]} for every option with errors in a validate answer. */
  private static JsonNode errorsByField(String answer) throws Exception {
    JsonNode parsed = AirbyteJson.parse(answer);
    var errors = AirbyteJson.MAPPER.createObjectNode();
    Set<String> seen = new HashSet<>();
    for (JsonNode config : parsed.path("configs")) {
      JsonNode value = config.path("value");
      if (value.path("errors").size() > 0 && seen.add(value.path("name").asText())) {
        errors.set(value.path("name").asText(), value.path("errors"));
      }
    }
    return errors;
  }
}
