package io.akb.connect.source;

import static io.akb.connect.ConnectTestCluster.count;
import static io.akb.connect.ConnectTestCluster.header;
import static io.akb.connect.ConnectTestCluster.json;
import static io.akb.connect.DistributedConnect.runningTasks;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.connect.ConnectTestCluster;
import io.akb.connect.ConnectWorkerProcess;
import io.akb.connect.DistributedConnect;
import io.akb.connect.TestTopics;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The source connector on a distributed Connect cluster as users run one: three worker JVMs in one
 * group with exactly-once source support, a source with three streams spread over three tasks, one
 * task per worker. In the middle of the sync the worker running one task is SIGKILLed (which task,
 * and when, come from the seed: {@code -Dakb.fault.seeds}); its task moves to a survivor, which
 * resumes from the last committed checkpoint. A read_committed consumer then finds every record of
 * every stream exactly once, the state topic's last checkpoint of each stream is the source's last
 * state (and Connect's stored offset), and a second sync reads only what is new.
 *
 * <p>Why it fails when exactly-once does not hold: without it the killed worker's records since its
 * last offset flush are already in the topic when its task moves, and the moved task sends them
 * again from the last flushed offset. Tried once with the workers' {@code
 * exactly.once.source.support} and the connector's transaction boundary removed (seed 42): ids
 * 301..344 of the killed task's stream were in the topic twice. With offsets not restored the moved
 * task would start from scratch (every id it had sent twice, and the records of its sync would not
 * start after the killed sync's last state); with a state committed before its records, ids would
 * be missing; with the second sync not resuming, it would read ids from 1 again.
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class DistributedWorkersIT {
  private static final String CONNECTOR = "dist";
  private static final String PREFIX = "dist.";
  private static final String STATE_TOPIC = PREFIX + "_state";
  private static final List<String> STREAMS = List.of("alpha", "beta", "gamma");

  /**
   * Records per stream: at 5 ms each a task's sync lasts 10 s, the kill lands in its first half.
   */
  private static final int COUNT = 2000;

  /** Records per stream that appear before the second sync. */
  private static final int MORE = 100;

  private static final int STATE_EVERY = 100;
  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final Duration SYNC = Duration.ofSeconds(90);

  /**
   * Connect's defaults would wait 5 minutes for a dead worker to come back before moving its tasks;
   * a lost task moves at once here, once its worker's 6 s session has expired.
   */
  private static final Map<String, String> WORKER_SETTINGS =
      Map.of(
          "scheduled.rebalance.max.delay.ms", "0",
          "session.timeout.ms", "6000",
          "heartbeat.interval.ms", "1000");

  /** Small worker JVMs that start fast: the broker, three workers and this test share 2 cores. */
  private static final List<String> WORKER_JVM =
      List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  @TempDir Path tmp;

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("io.akb.runtime.testkit.FaultSeeds#seeds")
  void aWorkerKilledMidSyncMovesItsTaskAndEveryRecordLandsOnce(long seed) throws Exception {
    Random random = new Random(seed);
    Path logs = Path.of("target", "distributed-workers-it", "seed-" + seed);
    deleteRecursively(logs);
    Path program = ConnectTestCluster.countingSource(tmp);
    EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, ConnectTestCluster.brokerProps());
    kafka.start();
    try (DistributedConnect connect =
        new DistributedConnect(
            "akb-dist-" + seed,
            kafka.bootstrapServers(),
            true,
            WORKER_SETTINGS,
            WORKER_JVM,
            logs)) {
      try {
        killAWorkerMidSync(connect, new TestTopics(kafka.bootstrapServers()), program, random);
      } catch (Throwable failure) {
        System.out.println(connect.logTails(150));
        throw failure;
      }
    } finally {
      kafka.stop();
    }
  }

  private void killAWorkerMidSync(
      DistributedConnect connect, TestTopics topics, Path program, Random random) throws Exception {
    connect.addWorkers(3, STARTUP);
    connect.awaitGroupOfLiveWorkers(STARTUP);
    connect.configureConnector(CONNECTOR, config(program, COUNT, topics));

    // Spread: one task per worker.
    JsonNode status =
        connect.awaitStatus(
            CONNECTOR,
            "3 tasks running on 3 workers",
            s -> new HashSet<>(runningTasks(s).values()).size() == 3,
            STARTUP);
    Map<Integer, String> placement = runningTasks(status);
    assertThat(new HashSet<>(placement.values()))
        .containsExactlyInAnyOrderElementsOf(
            connect.workers().stream().map(ConnectWorkerProcess::workerId).toList());

    // The moment: once the victim task has committed a few checkpoints, then up to a second more.
    int victimTask = random.nextInt(placement.size());
    String victimTaskId = CONNECTOR + "-" + victimTask;
    ConnectWorkerProcess victim = connect.worker(placement.get(victimTask));
    int checkpoints = 2 + random.nextInt(4);
    connect.await(
        victimTaskId + " committing " + checkpoints + " checkpoints",
        SYNC,
        () ->
            ofTask(topics.stateEvents(STATE_TOPIC, true), victimTaskId, "CHECKPOINT")
                >= checkpoints);
    Thread.sleep(random.nextInt(1000));
    assertThat(victim.kill()).as("exit code of " + victim + ": 128 + SIGKILL").isEqualTo(137);
    System.out.printf(
        "killed %s, which ran task %s, after %d checkpoints%n", victim, victimTaskId, checkpoints);
    assertThat(ofTask(topics.stateEvents(STATE_TOPIC, true), victimTaskId, "SYNC_COMPLETED"))
        .as("the kill fell in the middle of " + victimTaskId + "'s sync, not after it")
        .isZero();

    // Its task moves to a survivor, which resumes the sync.
    Set<String> survivors =
        connect.liveWorkers().stream()
            .map(ConnectWorkerProcess::workerId)
            .collect(Collectors.toSet());
    connect.awaitStatus(
        CONNECTOR,
        "3 tasks running on the 2 surviving workers",
        s -> runningTasks(s).size() == 3 && survivors.containsAll(runningTasks(s).values()),
        SYNC);
    List<JsonNode> events = awaitSucceededSyncs(connect, topics, 1);

    // The victim's task ran two syncs: the killed one up to its last committed checkpoint, then
    // the moved one from that checkpoint's state to the end.
    String stream = streamOf(events, victimTaskId);
    List<String> syncs =
        events.stream()
            .filter(e -> e.path("task").asText().equals(victimTaskId))
            .filter(e -> e.path("type").asText().equals("SYNC_STARTED"))
            .map(e -> e.path("sync_id").asText())
            .toList();
    assertThat(syncs).as("syncs of " + victimTaskId).hasSize(2);
    assertEveryRecordOnceAndTheLastState(connect, topics, events, COUNT);
    long resumedAfter = lastCheckpointId(events, syncs.get(0));
    Map<String, List<Long>> idsBySync = idsBySync(topics.readAll(PREFIX + stream, true));
    System.out.printf(
        "stream %s: the killed sync's records up to id %d are visible, %d records of its open"
            + " transaction were aborted%n",
        stream,
        resumedAfter,
        topics.readAll(PREFIX + stream, false).size()
            - topics.readAll(PREFIX + stream, true).size());
    assertIds(
        idsBySync.get(syncs.get(0)),
        1,
        resumedAfter,
        "records of the killed sync that are visible: those up to its last committed checkpoint");
    assertIds(
        idsBySync.get(syncs.get(1)),
        resumedAfter + 1,
        COUNT,
        "records of the moved task's sync: those after the killed sync's last committed state");

    // A second sync (more records at the source, the connector reconfigured) reads only them.
    connect.configureConnector(CONNECTOR, config(program, COUNT + MORE, topics));
    events = awaitSucceededSyncs(connect, topics, 2);
    for (String name : STREAMS) {
      Set<String> firstRound = syncIdsUpToSucceeded(events, name, 1);
      List<Long> secondRound =
          topics.readAll(PREFIX + name, true).stream()
              .filter(r -> !firstRound.contains(header(r, "airbyte.sync_id")))
              .map(DistributedWorkersIT::id)
              .toList();
      assertIds(
          secondRound, COUNT + 1, COUNT + MORE, "records of stream " + name + "'s second sync");
    }
    assertEveryRecordOnceAndTheLastState(connect, topics, events, COUNT + MORE);
  }

  private static Map<String, String> config(Path program, int count, TestTopics topics) {
    Map<String, String> config =
        ConnectTestCluster.countingSourceConfig(
            program,
            PREFIX,
            AirbyteJson.toJson(
                Map.of(
                    "count", count,
                    "delay_ms", 5,
                    "state_every", STATE_EVERY,
                    "streams", STREAMS)),
            topics.bootstrapServers());
    config.put("tasks.max", "3");
    config.put("topic.partitions", "2");
    config.put("sync.interval.ms", "3600000");
    config.put("exactly.once.support", "required");
    config.put("transaction.boundary", "connector");
    return config;
  }

  /**
   * Waits until each of the three tasks has {@code succeeded} successful syncs on the state topic
   * (read_committed); returns its events.
   */
  private static List<JsonNode> awaitSucceededSyncs(
      DistributedConnect connect, TestTopics topics, int succeeded) throws InterruptedException {
    List<JsonNode>[] events = new List[1];
    connect.await(
        "each task's sync number " + succeeded + " to succeed",
        SYNC,
        () -> {
          events[0] = topics.stateEvents(STATE_TOPIC, true);
          return LongStream.range(0, STREAMS.size())
              .allMatch(
                  task ->
                      events[0].stream()
                              .filter(e -> e.path("task").asText().equals(CONNECTOR + "-" + task))
                              .filter(e -> e.path("type").asText().equals("SYNC_COMPLETED"))
                              .filter(e -> e.path("status").asText().equals("SUCCEEDED"))
                              .count()
                          >= succeeded);
        });
    assertThat(count(events[0], "SYNC_COMPLETED", "FAILED")).as("failed syncs").isZero();
    return events[0];
  }

  /**
   * What a user checks after the sync: each stream's topic holds ids 1..{@code count} once each
   * (read_committed), and its last checkpoint on the state topic and Connect's stored offset are
   * both the source's last state.
   */
  private static void assertEveryRecordOnceAndTheLastState(
      DistributedConnect connect, TestTopics topics, List<JsonNode> events, int count)
      throws IOException {
    JsonNode offsets = connect.get("/connectors/" + CONNECTOR + "/offsets").path("offsets");
    for (String stream : STREAMS) {
      List<Long> ids =
          topics.readAll(PREFIX + stream, true).stream().map(DistributedWorkersIT::id).toList();
      assertIds(ids, 1, count, "stream " + stream + " (read_committed)");

      JsonNode sourceState =
          json(
              ("{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"%s\"},"
                      + "\"stream_state\":{\"id\":%d}}}")
                  .formatted(stream, count)
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      JsonNode lastCheckpoint =
          events.stream()
              .filter(e -> e.path("type").asText().equals("CHECKPOINT"))
              .filter(e -> stream.equals(checkpointStream(e)))
              .reduce((a, b) -> b)
              .orElseThrow()
              .path("state");
      assertThat(ConnectTestCluster.plain(lastCheckpoint))
          .as("last checkpoint of " + stream)
          .isEqualTo(ConnectTestCluster.plain(sourceState));
      JsonNode stored = null;
      for (JsonNode offset : offsets) {
        if (offset.path("partition").path("stream").asText().equals(stream)) {
          stored = json(offset.path("offset").path("state").asText().getBytes());
        }
      }
      assertThat(stored).as("Connect's stored offset of " + stream).isNotNull();
      assertThat(ConnectTestCluster.plain(stored))
          .as("Connect's stored offset of " + stream)
          .isEqualTo(ConnectTestCluster.plain(sourceState));
    }
  }

  /**
   * {@code ids} are {@code from..to}, each once; a failure names the ids twice, missing or extra.
   */
  private static void assertIds(List<Long> ids, long from, long to, String what) {
    assertThat(ids).as(what).isNotNull();
    Map<Long, Long> seen =
        ids.stream().collect(Collectors.groupingBy(id -> id, TreeMap::new, Collectors.counting()));
    List<Long> twice =
        seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    List<Long> missing =
        LongStream.rangeClosed(from, to).filter(id -> !seen.containsKey(id)).boxed().toList();
    List<Long> extra = seen.keySet().stream().filter(id -> id < from || id > to).toList();
    assertThat(twice).as(what + ": ids seen more than once").isEmpty();
    assertThat(missing).as(what + ": ids %d..%d missing", from, to).isEmpty();
    assertThat(extra).as(what + ": ids outside %d..%d", from, to).isEmpty();
  }

  private static long ofTask(List<JsonNode> events, String task, String type) {
    return events.stream()
        .filter(e -> e.path("task").asText().equals(task))
        .filter(e -> e.path("type").asText().equals(type))
        .count();
  }

  private static String checkpointStream(JsonNode checkpoint) {
    return checkpoint.path("state").path("stream").path("stream_descriptor").path("name").asText();
  }

  /** The stream a task reads: that of its checkpoints (one stream per task here). */
  private static String streamOf(List<JsonNode> events, String task) {
    Set<String> streams =
        events.stream()
            .filter(e -> e.path("task").asText().equals(task))
            .filter(e -> e.path("type").asText().equals("CHECKPOINT"))
            .map(DistributedWorkersIT::checkpointStream)
            .collect(Collectors.toSet());
    assertThat(streams).as("streams of " + task).hasSize(1);
    return streams.iterator().next();
  }

  /** The cursor of a sync's last committed checkpoint. */
  private static long lastCheckpointId(List<JsonNode> events, String syncId) {
    return events.stream()
        .filter(e -> e.path("sync_id").asText().equals(syncId))
        .filter(e -> e.path("type").asText().equals("CHECKPOINT"))
        .reduce((a, b) -> b)
        .orElseThrow()
        .path("state")
        .path("stream")
        .path("stream_state")
        .path("id")
        .asLong();
  }

  /**
   * The sync ids of the syncs of a stream's task up to and including its {@code succeeded}th
   * successful one.
   */
  private static Set<String> syncIdsUpToSucceeded(
      List<JsonNode> events, String stream, int succeeded) {
    String task =
        events.stream()
            .filter(e -> e.path("type").asText().equals("CHECKPOINT"))
            .filter(e -> stream.equals(checkpointStream(e)))
            .findFirst()
            .orElseThrow()
            .path("task")
            .asText();
    Set<String> syncs = new HashSet<>();
    int seen = 0;
    for (JsonNode event : events) {
      if (!event.path("task").asText().equals(task)) {
        continue;
      }
      if (event.path("type").asText().equals("SYNC_STARTED")) {
        syncs.add(event.path("sync_id").asText());
      }
      if (event.path("type").asText().equals("SYNC_COMPLETED")
          && event.path("status").asText().equals("SUCCEEDED")
          && ++seen == succeeded) {
        return syncs;
      }
    }
    throw new AssertionError(task + " has fewer than " + succeeded + " successful syncs");
  }

  private static Map<String, List<Long>> idsBySync(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<String, List<Long>> ids = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      ids.computeIfAbsent(header(record, "airbyte.sync_id"), k -> new java.util.ArrayList<>())
          .add(id(record));
    }
    return ids;
  }

  private static long id(ConsumerRecord<byte[], byte[]> record) {
    return json(record.value()).path("id").asLong();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
