package io.akb.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.connect.ConnectTestCluster;
import io.akb.connect.sink.CommittedOffsetsCheck.Position;
import io.akb.runtime.testkit.Ailake;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both connectors in one real Connect cluster, with real connectors from PyPI at both ends: the
 * source connector runs source-faker 7.2.1 (its users stream) into topics, and the sink connector
 * moves those topics into destination-ailake 0.1.16, which writes Parquet files. The destination is
 * killed and later the sink task is restarted while records flow; every faker user ends up in the
 * lake, and the sink's committed offsets never pass what the lake holds.
 */
class FakerToAilakeIT {
  static final String PREFIX = "ailakeit.";
  static final String USERS_TOPIC = PREFIX + "users";
  static final String SOURCE = "faker-users";
  static final String SINK = "ailake";
  static final Duration WAIT = Duration.ofMinutes(4);

  @TempDir Path dir;

  ConnectTestCluster cluster;
  CommittedOffsetsCheck offsets;

  @Test
  void everyFakerUserReachesTheLakeThroughADestinationCrashAndASinkTaskRestart() throws Exception {
    try (ConnectTestCluster started = ConnectTestCluster.start("akb-ailake-it", false)) {
      cluster = started;
      offsets = new CommittedOffsetsCheck(cluster, SINK);

      // First sync: users 1..200, checkpointed every 25 records.
      cluster.connect.configureConnector(SOURCE, fakerConfig(200, false));
      cluster.awaitStateEvents(
          PREFIX + "_state",
          false,
          events -> ConnectTestCluster.count(events, "SYNC_STARTED", null) > 0,
          WAIT);
      cluster.connect.configureConnector(SINK, sinkConfig());
      await("some users in the lake", () -> !idsInLake().isEmpty());
      checkCommittedOffsets();

      // The destination dies. The task notices at its next write and restarts it from the
      // confirmed offsets.
      List<ProcessHandle> killed = destinationProcesses();
      assertThat(killed).isNotEmpty();
      killed.forEach(ProcessHandle::destroyForcibly);

      // Second sync: faker sends all its users again, now 400 of them; the sink task restarts
      // once the new ones start to arrive.
      cluster.connect.configureConnector(SOURCE, fakerConfig(400, true));
      await(
          "users above 200 in the lake, written by a new destination process",
          () -> {
            checkCommittedOffsets();
            return idsInLake().stream().anyMatch(id -> id > 200)
                && !destinationProcesses().isEmpty();
          });
      assertThat(destinationProcesses()).doesNotContainAnyElementsOf(killed);
      cluster.connect.restartTask(SINK, 0);
      await(
          "users 1..400 in the lake",
          () -> {
            checkCommittedOffsets();
            return idsInLake().containsAll(ids(1, 400));
          });
      await(
          "the sink's offsets committed up to the end of the users topic",
          () -> committedUsers() == cluster.readAll(USERS_TOPIC, false).size());
      checkCommittedOffsets();

      assertThat(offsets.violations()).as("committed offsets past what the lake holds").isEmpty();
      // At least once: each user is in the lake as often as in the topic (users 1..200 twice,
      // once per sync), or more often where the crash and the restart replayed it.
      Map<Long, Long> inLake = counted(idRows());
      Map<Long, Long> inTopic = counted(positions().stream().map(Position::id).toList());
      assertThat(inLake.keySet()).isEqualTo(ids(1, 400));
      assertThat(inTopic.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(600);
      inTopic.forEach(
          (id, times) ->
              assertThat(inLake.get(id)).as("rows of user " + id).isGreaterThanOrEqualTo(times));
      assertThat(idRows()).as("replays stay small").hasSizeLessThanOrEqualTo(1_200);
      // Status updates travel through a topic: wait for the restarted task's to arrive.
      cluster
          .connect
          .assertions()
          .assertConnectorAndExactlyNumTasksAreRunning(SINK, 1, "the sink task runs on");
    }
  }

  /**
   * source-faker's users; {@code alwaysUpdated} makes an incremental sync send every user again.
   */
  Map<String, String> fakerConfig(int count, boolean alwaysUpdated) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", ConnectTestCluster.SOURCE_CONNECTOR_CLASS);
    config.put("tasks.max", "1");
    config.put("airbyte.connector.name", "source-faker");
    config.put("airbyte.connector.version", "7.2.1");
    config.put(
        "airbyte.config",
        "{\"count\": "
            + count
            + ", \"seed\": 7, \"parallelism\": 1, \"records_per_slice\": 25, \"always_updated\": "
            + alwaysUpdated
            + "}");
    config.put("streams", "users");
    config.put("topic.prefix", PREFIX);
    config.put("topic.partitions", "3");
    config.put("bootstrap.servers", cluster.bootstrapServers());
    config.put("sync.interval.ms", "3600000");
    return config;
  }

  /** The sink: every topic under the prefix (records and state) into ailake, catalog from state. */
  Map<String, String> sinkConfig() {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", ConnectTestCluster.SINK_CONNECTOR_CLASS);
    config.put("tasks.max", "1");
    config.put("topics.regex", "ailakeit\\..*");
    config.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    config.put("airbyte.connector.name", Ailake.NAME);
    config.put("airbyte.connector.version", Ailake.VERSION);
    config.put("airbyte.config", Ailake.config(dir).toString());
    config.put("state.topic", PREFIX + "_state");
    config.put("bootstrap.servers", cluster.bootstrapServers());
    config.put("topic.prefix", PREFIX);
    config.put("commit.echo.wait.ms", "2000");
    // Small polls, so the destination gets the topics in several batches.
    config.put("consumer.override.max.poll.records", "50");
    return config;
  }

  // --- the lake: the testkit's ailake config, its Parquet files read with DuckDB ---

  /**
   * The users' ids in the lake, one per row. A data file the destination is writing at this moment
   * may not read yet: such a read is tried again.
   */
  List<Long> idRows() {
    for (int attempt = 1; ; attempt++) {
      try {
        return Ailake.ids(dir, "users");
      } catch (IllegalStateException e) {
        if (String.valueOf(e.getMessage()).contains("No files found")) {
          return List.of();
        }
        if (attempt == 3) {
          throw e;
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  static Map<Long, Long> counted(List<Long> ids) {
    Map<Long, Long> counts = new HashMap<>();
    ids.forEach(id -> counts.merge(id, 1L, Long::sum));
    return counts;
  }

  Set<Long> idsInLake() {
    return new HashSet<>(idRows());
  }

  static Set<Long> ids(long first, long last) {
    Set<Long> ids = new HashSet<>();
    for (long id = first; id <= last; id++) {
      ids.add(id);
    }
    return ids;
  }

  // --- the sink's side: its destination processes and committed offsets ---

  static List<ProcessHandle> destinationProcesses() {
    return ConnectTestCluster.connectorProcesses("airbyte-destination-ailake");
  }

  /** Where each user record is in the users topic now. */
  List<Position> positions() {
    return cluster.readAll(USERS_TOPIC, false).stream()
        .map(
            record ->
                new Position(
                    new TopicPartition(record.topic(), record.partition()),
                    record.offset(),
                    ConnectTestCluster.json(record.value()).get("id").asLong()))
        .toList();
  }

  void checkCommittedOffsets() {
    offsets.check(this::idsInLake, this::positions);
  }

  long committedUsers() {
    return offsets.committed().entrySet().stream()
        .filter(entry -> entry.getKey().topic().equals(USERS_TOPIC))
        .mapToLong(entry -> entry.getValue().offset())
        .sum();
  }

  void await(String what, BooleanSupplier done) throws InterruptedException {
    cluster.await(
        what,
        done,
        WAIT,
        () -> "the lake has " + idsInLake().size() + " users; committed " + offsets.committed());
  }
}
