package io.akb.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.connect.ConnectTestCluster;
import io.akb.runtime.protocol.StreamDescriptor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source task driven directly, as a worker would, with the test keeping the offsets Connect
 * would commit: a restarted task keeps the sync schedule instead of syncing at once.
 */
class AirbyteSourceTaskIT {
  private static final long HOUR_MS = 3_600_000L;

  private static EmbeddedKafkaCluster kafka;

  @TempDir static Path tmp;

  /** What Connect would have committed: the offset of the last record of each partition. */
  private final Map<Map<String, Object>, Map<String, Object>> committed = new HashMap<>();

  private final List<AirbyteSourceTask> started = new ArrayList<>();

  @BeforeAll
  static void startBroker() {
    kafka = new EmbeddedKafkaCluster(1, new Properties());
    kafka.start();
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.stop();
    }
  }

  @AfterEach
  void stopTasks() {
    started.forEach(AirbyteSourceTask::stop);
  }

  private Map<String, String> props(String prefix, String... extra) {
    Map<String, String> props = new HashMap<>();
    props.put("airbyte.connector.name", "source-counting");
    props.put("airbyte.executor", "local");
    props.put("airbyte.local.executable", ConnectTestCluster.countingSource(tmp).toString());
    props.put("airbyte.config", "{\"count\": 3}");
    props.put("airbyte.secret.api_key", "open-sesame");
    props.put("topic.prefix", prefix);
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("sync.interval.ms", String.valueOf(HOUR_MS));
    props.put(AirbyteSourceTask.TASK_ID_CONFIG, "counting-0");
    props.put(AirbyteSourceTask.TASK_STREAMS_CONFIG, "[{\"name\":\"numbers\"}]");
    for (int i = 0; i < extra.length; i += 2) {
      props.put(extra[i], extra[i + 1]);
    }
    return props;
  }

  private AirbyteSourceTask start(Map<String, String> props) {
    AirbyteSourceTask task = new AirbyteSourceTask();
    task.initialize(new Context(props));
    task.start(props);
    started.add(task);
    return task;
  }

  /** Polls until the sync's SYNC_COMPLETED, committing every record's offset as Connect would. */
  private List<SourceRecord> syncToTheEnd(AirbyteSourceTask task) throws InterruptedException {
    List<SourceRecord> all = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 120_000;
    while (all.stream().noneMatch(r -> "SYNC_COMPLETED".equals(type(r)))) {
      assertThat(System.currentTimeMillis()).as("the sync ends").isLessThan(deadline);
      List<SourceRecord> batch = task.poll();
      if (batch != null) {
        for (SourceRecord record : batch) {
          all.add(record);
          @SuppressWarnings("unchecked")
          Map<String, Object> partition = (Map<String, Object>) record.sourcePartition();
          @SuppressWarnings("unchecked")
          Map<String, Object> offset = (Map<String, Object>) record.sourceOffset();
          committed.put(partition, offset);
        }
      }
    }
    return all;
  }

  private static String type(SourceRecord record) {
    return record.value() instanceof Map<?, ?> value ? String.valueOf(value.get("type")) : null;
  }

  @Test
  void aRestartedTaskWaitsTheRestOfTheIntervalInsteadOfSyncingAtOnce() throws Exception {
    AirbyteSourceTask first = start(props("schedule."));
    List<SourceRecord> records = syncToTheEnd(first);
    long endedAt = System.currentTimeMillis();
    first.stop();
    assertThat(records.stream().filter(r -> r.topic().equals("schedule.numbers"))).hasSize(3);
    Map<String, Object> schedule = committed.get(SyncSchedule.partition("counting-0"));
    assertThat(schedule).containsOnlyKeys("last_sync_ended_at", "config_digest");
    long storedEnd = ((Number) schedule.get("last_sync_ended_at")).longValue();
    assertThat(storedEnd).isLessThanOrEqualTo(endedAt).isGreaterThan(endedAt - 60_000);

    AirbyteSourceTask restarted = start(props("schedule."));
    assertThat(restarted.nextSyncAt()).isEqualTo(storedEnd + HOUR_MS);
    // A poll now only waits: no SYNC_STARTED, no records.
    assertThat(restarted.poll()).isNull();
  }

  @Test
  void aRestartedTaskWhoseIntervalHasPassedSyncsAtOnceFromItsState() throws Exception {
    syncToTheEnd(start(props("overdue.")));
    started.get(0).stop();
    committed.put(
        SyncSchedule.partition("counting-0"),
        SyncSchedule.offset(System.currentTimeMillis() - 2 * HOUR_MS, null));

    AirbyteSourceTask restarted = start(props("overdue."));
    List<SourceRecord> second = syncToTheEnd(restarted);
    assertThat(type(second.get(0))).isEqualTo("SYNC_STARTED");
    // Incremental from the committed state: nothing read again.
    assertThat(second.stream().filter(r -> r.topic().equals("overdue.numbers"))).isEmpty();
  }

  /** The {@code airbyte.generation_id} header of every record of {@code topic}. */
  private static List<Long> generations(List<SourceRecord> records, String topic) {
    return records.stream()
        .filter(r -> r.topic().equals(topic))
        .map(
            r -> Long.parseLong((String) r.headers().lastWithName("airbyte.generation_id").value()))
        .toList();
  }

  /** The {@code generation_id} of the one stream in a {@code SYNC_STARTED} event's catalog. */
  private static long startedGeneration(List<SourceRecord> records) {
    Map<?, ?> started = (Map<?, ?>) records.get(0).value();
    assertThat(started.get("type")).isEqualTo("SYNC_STARTED");
    Map<?, ?> catalog = (Map<?, ?>) started.get("catalog");
    Map<?, ?> stream = (Map<?, ?>) ((List<?>) catalog.get("streams")).get(0);
    return ((Number) stream.get("generation_id")).longValue();
  }

  @Test
  void aStreamKeepsItsGenerationAcrossRestartsUntilAFullRefreshStartsANewOne() throws Exception {
    long before = System.currentTimeMillis();
    List<SourceRecord> first = syncToTheEnd(start(props("generations.")));
    started.get(0).stop();
    long generation = startedGeneration(first);
    assertThat(generation).isBetween(before, System.currentTimeMillis());
    assertThat(generations(first, "generations.numbers")).hasSize(3).containsOnly(generation);
    assertThat(committed.get(GenerationOffsets.partition("counting-0")))
        .isEqualTo(
            GenerationOffsets.offset(Map.of(new StreamDescriptor("numbers", null), generation)));

    // A restarted task resumes the incremental stream from its state: the same generation.
    committed.put(
        SyncSchedule.partition("counting-0"),
        SyncSchedule.offset(System.currentTimeMillis() - 2 * HOUR_MS, null));
    List<SourceRecord> resumed = syncToTheEnd(start(props("generations.")));
    started.get(1).stop();
    assertThat(startedGeneration(resumed)).isEqualTo(generation);

    // A full refresh reads the stream from scratch: a new, larger generation on every record,
    // which a consumer of the topic tells from the earlier records without reading the state.
    List<SourceRecord> refreshed =
        syncToTheEnd(start(props("generations.", "sync.modes", "numbers=full_refresh")));
    long next = startedGeneration(refreshed);
    assertThat(next).isGreaterThan(generation);
    assertThat(generations(refreshed, "generations.numbers")).hasSize(3).containsOnly(next);
  }

  @Test
  void aTaskRestartedWithAnotherConfigurationSyncsAtOnce() throws Exception {
    syncToTheEnd(start(props("reconfigured.")));
    started.get(0).stop();
    assertThat(committed.get(SyncSchedule.partition("counting-0"))).containsKey("config_digest");

    // The user changed the connector (here its poll batch size): the interval does not hold.
    AirbyteSourceTask restarted = start(props("reconfigured.", "poll.batch.size", "7"));
    List<SourceRecord> batch = restarted.poll();
    assertThat(batch).extracting(AirbyteSourceTaskIT::type).contains("SYNC_STARTED");
  }

  @Test
  void withoutResumingTheScheduleARestartedTaskSyncsAtOnce() throws Exception {
    syncToTheEnd(start(props("noresume.")));
    started.get(0).stop();

    AirbyteSourceTask restarted = start(props("noresume.", "sync.resume.schedule", "false"));
    List<SourceRecord> batch = restarted.poll();
    assertThat(batch).extracting(AirbyteSourceTaskIT::type).containsExactly("SYNC_STARTED");
  }

  @Test
  void whatASilentConnectorSentReachesConnectWhileItIsSilent() throws Exception {
    // 500 records and 5 checkpoints, then silence: less than one batch of poll.batch.size (2000).
    AirbyteSourceTask task =
        start(
            props(
                "silent.",
                "airbyte.config",
                "{\"count\": 1000, \"hang_after\": 500}",
                "airbyte.idle.timeout.ms",
                "30000"));
    List<SourceRecord> all = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 120_000;
    while (all.stream().filter(r -> r.topic().equals("silent.numbers")).count() < 500
        || all.stream().filter(r -> "CHECKPOINT".equals(type(r))).count() < 5) {
      assertThat(System.currentTimeMillis()).as("the records arrive").isLessThan(deadline);
      List<SourceRecord> batch = task.poll();
      if (batch != null) {
        all.addAll(batch);
      }
    }
    // Handed over while the connector is still running: before, they waited for a full batch,
    // that is for the idle timeout to fail the sync.
    assertThat(all).extracting(AirbyteSourceTaskIT::type).doesNotContain("SYNC_COMPLETED");
  }

  @Test
  void theIdleTimeoutOptionEndsTheSyncOfASilentConnector() throws Exception {
    AirbyteSourceTask task =
        start(
            props(
                "idle.",
                "airbyte.config",
                "{\"count\": 10, \"hang_after\": 3}",
                "airbyte.idle.timeout.ms",
                "2000",
                "sync.retries",
                "0"));
    List<SourceRecord> records = syncToTheEnd(task);
    SourceRecord completed =
        records.stream().filter(r -> "SYNC_COMPLETED".equals(type(r))).findFirst().orElseThrow();
    Map<?, ?> event = (Map<?, ?>) completed.value();
    assertThat(event.get("status")).isEqualTo("FAILED");
    assertThat(String.valueOf(event.get("error")))
        .contains("the connector printed nothing for 2.0 s (the idle timeout)")
        .contains("airbyte.idle.timeout.ms");
    assertThat(records.stream().filter(r -> r.topic().equals("idle.numbers"))).hasSize(3);
  }

  /** The task's view of Connect: its config and the committed offsets. */
  private final class Context implements SourceTaskContext {
    private final Map<String, String> configs;

    Context(Map<String, String> configs) {
      this.configs = configs;
    }

    @Override
    public Map<String, String> configs() {
      return configs;
    }

    @Override
    public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
      return null;
    }

    @Override
    public OffsetStorageReader offsetStorageReader() {
      return new OffsetStorageReader() {
        @Override
        @SuppressWarnings("unchecked")
        public <T> Map<String, Object> offset(Map<String, T> partition) {
          return committed.get((Map<String, Object>) partition);
        }

        @Override
        public <T> Map<Map<String, T>, Map<String, Object>> offsets(
            Collection<Map<String, T>> partitions) {
          Map<Map<String, T>, Map<String, Object>> found = new HashMap<>();
          for (Map<String, T> partition : partitions) {
            Map<String, Object> offset = offset(partition);
            if (offset != null) {
              found.put(partition, offset);
            }
          }
          return found;
        }
      };
    }
  }
}
