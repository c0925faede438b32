package io.akb.bridge.replay;

import static io.akb.bridge.testing.RunningTarget.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.bridge.testing.ContractProducer;
import io.akb.bridge.testing.RunningTarget;
import io.akb.bridge.testing.TopicRecords;
import io.akb.cache.SkippedRecords;
import io.akb.cache.StoredOffset;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import io.akb.runtime.topic.StateEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cache targets meeting records that are gone from a real KRaft broker (deleted records, a
 * recreated topic) and syncs whose task was killed: they say so at once and never wait forever.
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class RecordGapIT {
  private static final JsonNode SCHEMA =
      AirbyteJson.MAPPER
          .createObjectNode()
          .put("type", "object")
          .set(
              "properties",
              AirbyteJson.MAPPER
                  .createObjectNode()
                  .set("id", AirbyteJson.MAPPER.createObjectNode().put("type", "integer")));

  @TempDir Path dir;

  private static String prefix() {
    return "airbyte.gap-" + UUID.randomUUID().toString().substring(0, 8) + ".";
  }

  private static void startSync(ContractProducer source, String... streams) {
    source.startSync(
        java.util.Arrays.stream(streams)
            .map(
                stream ->
                    ContractProducer.stream(
                        stream,
                        SCHEMA,
                        List.of("id"),
                        SyncMode.INCREMENTAL,
                        List.of("id"),
                        DestinationSyncMode.APPEND))
            .toList());
  }

  /**
   * Records {@code from..to} of {@code stream}, all in partition 0, and a checkpoint after them.
   */
  private static void records(ContractProducer source, String stream, int from, int to) {
    uncheckpointedRecords(source, stream, from, to);
    source.checkpoint(stream, AirbyteJson.MAPPER.createObjectNode().put("cursor", to));
  }

  /** Records {@code from..to} of {@code stream}, all in partition 0, and no checkpoint. */
  private static void uncheckpointedRecords(
      ContractProducer source, String stream, int from, int to) {
    for (int id = from; id <= to; id++) {
      ObjectNode row = AirbyteJson.MAPPER.createObjectNode().put("id", id);
      source.record(stream, AirbyteJson.MAPPER.createObjectNode().put("id", id), row, 0, null);
    }
  }

  private RunningTarget target(String name, String prefix, RecordGap.GapPolicy onGap) {
    return RunningTarget.start(
        name,
        "duckdb:" + dir.resolve(name + ".duckdb"),
        prefix,
        WriteStrategy.APPEND,
        Map.of(),
        1000,
        onGap);
  }

  private static TargetStatus status(RunningTarget target) {
    return target.replicator().status();
  }

  /** The target's stored next offset in the state topic. */
  private static long stateTopicPosition(RunningTarget target, ContractProducer source) {
    StoredOffset offset =
        target
            .query(cache -> cache.storedOffsets(target.replicator().settings().name()))
            .get(StateEvent.countsKey(source.stateTopic(), 0));
    return offset == null ? -1 : offset.nextOffset();
  }

  @Test
  void recordsDeletedBeforeTheTargetReadThemFailItAtOnceUntilReset() throws Exception {
    String prefix = prefix();
    try (ContractProducer source = new ContractProducer(prefix, "source-gap")) {
      source.createTopics(Map.of("users", 1));
      startSync(source, "users");
      records(source, "users", 1, 100);
      source.completeSync(true);
      source.flush();
      TopicRecords.deleteBefore(source.recordTopic("users"), 0, 40);

      try (RunningTarget target = target("gap-fail", prefix, null)) {
        await(
            "the target is FAILED",
            Duration.ofSeconds(20),
            () -> status(target).phase() == BridgeTarget.Phase.FAILED);
        String error = status(target).lastError();
        assertThat(error)
            .contains(source.recordTopic("users") + "/0: 40 records (offsets 0..39) are gone")
            .contains("can never complete): CHECKPOINT 1 of sync ")
            .contains("needs 100 more from " + source.recordTopic("users") + "/0")
            .contains("stays FAILED until it is reset")
            .contains("on-gap=skip");
        assertThat(status(target).gaps())
            .singleElement()
            .satisfies(
                gap -> {
                  assertThat(gap.records()).isEqualTo(40);
                  assertThat(gap.from()).isZero();
                  assertThat(gap.resumeAt()).isEqualTo(40);
                });
        assertThat(status(target).recordsLost()).isEqualTo(40);

        // A gap is not transient: several retry backoffs (1 s here) later it is still FAILED,
        // with nothing written, and its cache still answers.
        Thread.sleep(3_000);
        assertThat(status(target).phase()).isEqualTo(BridgeTarget.Phase.FAILED);
        assertThat(status(target).lastError()).isEqualTo(error);
        assertThat(target.count("users")).isZero();

        // A reset reads on from the first record there is; the checkpoint and the sync end that
        // counted the lost records are dropped instead of waited for.
        target.replicator().reset().get(30, java.util.concurrent.TimeUnit.SECONDS);
        await(
            "the target applied the 60 records there are",
            Duration.ofSeconds(30),
            () -> target.count("users") == 60);
        await(
            "nothing waits",
            Duration.ofSeconds(30),
            () ->
                status(target).checkpointsPending() == 0
                    && status(target).checkpointsDropped() == 2);
        assertThat(status(target).phase()).isEqualTo(BridgeTarget.Phase.RUNNING);
        assertThat(status(target).lastError()).isNull();
        Map<String, JsonNode> states = target.query(cache -> cache.states("source-gap"));
        assertThat(states).isEmpty();
        await(
            "the state topic position passed the sync's end",
            Duration.ofSeconds(30),
            () -> stateTopicPosition(target, source) >= 3);
      }
    }
  }

  @Test
  void withOnGapSkipTheTargetAppliesTheRestSaysSoAndTheNextSyncCompletes() throws Exception {
    String prefix = prefix();
    try (ContractProducer source = new ContractProducer(prefix, "source-skip")) {
      source.createTopics(Map.of("users", 1));
      startSync(source, "users");
      records(source, "users", 1, 100);
      source.completeSync(true);
      source.flush();
      TopicRecords.deleteBefore(source.recordTopic("users"), 0, 40);

      try (RunningTarget target = target("gap-skip", prefix, RecordGap.GapPolicy.SKIP)) {
        await(
            "the target applied the 60 records there are and dropped what cannot complete",
            Duration.ofSeconds(30),
            () ->
                target.count("users") == 60
                    && status(target).checkpointsPending() == 0
                    && status(target).checkpointsDropped() == 2);
        assertThat(status(target).phase()).isEqualTo(BridgeTarget.Phase.RUNNING);
        assertThat(status(target).gaps())
            .singleElement()
            .satisfies(
                gap -> {
                  assertThat(gap.partitionKey()).isEqualTo(source.recordTopic("users") + "/0");
                  assertThat(gap.records()).isEqualTo(40);
                });
        Map<String, JsonNode> states = target.query(cache -> cache.states("source-skip"));
        assertThat(states).isEmpty();
        List<SkippedRecords> skipped = target.query(cache -> cache.skippedRecords("gap-skip"));
        assertThat(skipped)
            .as("the cache says what it lacks")
            .singleElement()
            .satisfies(
                gap -> {
                  assertThat(gap.topicPartition()).isEqualTo(source.recordTopic("users") + "/0");
                  assertThat(gap.fromOffset()).isZero();
                  assertThat(gap.resumeAt()).isEqualTo(40);
                  assertThat(gap.recordsLost()).isEqualTo(40);
                  assertThat(gap.description()).contains("40 records (offsets 0..39) are gone");
                });
        await(
            "the state topic position passed the sync's end",
            Duration.ofSeconds(30),
            () -> stateTopicPosition(target, source) >= 3);

        // The next sync is whole: its rows and its checkpoint are in.
        startSync(source, "users");
        records(source, "users", 101, 120);
        source.completeSync(true);
        source.flush();
        await(
            "the second sync is in",
            Duration.ofSeconds(30),
            () ->
                target.count("users") == 80
                    && target.query(cache -> cache.states("source-skip")).containsKey("users"));
        assertThat(target.query(cache -> cache.states("source-skip")).get("users").toString())
            .contains("\"cursor\":120");
        assertThat(status(target).checkpointsDropped()).isEqualTo(2);
      }
    }
  }

  @Test
  void recordsDeletedWhileTheTargetIsBehindFailItWhenItFetchesThem() throws Exception {
    String prefix = prefix();
    try (ContractProducer source = new ContractProducer(prefix, "source-behind")) {
      source.createTopics(Map.of("users", 1));
      startSync(source, "users");
      records(source, "users", 1, 50);
      source.flush();
      try (RunningTarget target = target("gap-behind", prefix, null)) {
        await("the first 50 are in", Duration.ofSeconds(30), () -> target.count("users") == 50);
        target.replicator().pause();
        await(
            "the target is paused",
            Duration.ofSeconds(10),
            () -> status(target).phase() == BridgeTarget.Phase.PAUSED);
        records(source, "users", 51, 150);
        source.flush();
        TopicRecords.deleteBefore(source.recordTopic("users"), 0, 120);
        target.replicator().resume();
        await(
            "the target is FAILED",
            Duration.ofSeconds(20),
            () -> status(target).phase() == BridgeTarget.Phase.FAILED);
        assertThat(status(target).lastError())
            .contains(source.recordTopic("users") + "/0: 70 records (offsets 50..119) are gone")
            .contains("CHECKPOINT 2 of sync ");
        assertThat(target.count("users")).isEqualTo(50);
      }
    }
  }

  @Test
  void aTopicDeletedAndRecreatedBehindTheTargetIsAGapToo() throws Exception {
    String prefix = prefix();
    try (ContractProducer source = new ContractProducer(prefix, "source-recreated")) {
      source.createTopics(Map.of("users", 1));
      startSync(source, "users");
      records(source, "users", 1, 50);
      source.completeSync(true);
      source.flush();
      try (RunningTarget target = target("gap-recreated", prefix, null)) {
        await("the 50 are in", Duration.ofSeconds(30), () -> target.count("users") == 50);
      }
      TopicRecords.deleteTopic(source.recordTopic("users"));
    }
    try (ContractProducer source = new ContractProducer(prefix, "source-recreated")) {
      // A new producer: the old one's sequence numbers belong to the deleted topic.
      io.akb.bridge.testing.EmbeddedKafka.createTopics(Map.of(source.recordTopic("users"), 1));
      startSync(source, "users");
      records(source, "users", 1, 10);
      source.completeSync(true);
      source.flush();
      try (RunningTarget target = target("gap-recreated", prefix, null)) {
        await(
            "the target is FAILED",
            Duration.ofSeconds(20),
            () -> status(target).phase() == BridgeTarget.Phase.FAILED);
        assertThat(status(target).lastError())
            .contains(source.recordTopic("users") + "/0 ends before offset 50")
            .contains("deleted and recreated");
        assertThat(status(target).recordsLost()).isEqualTo(-1);
      }
    }
  }

  @Test
  void aSyncWhoseTaskWasKilledEndsWhenTheTaskStartsItsNextSync() throws Exception {
    String prefix = prefix();
    try (ContractProducer source = new ContractProducer(prefix, "source-killed")) {
      source.createTopics(Map.of("users", 1, "orders", 1));
      // The killed sync: a complete checkpoint, then one whose records never made it to Kafka.
      startSync(source, "users", "orders");
      records(source, "users", 1, 30);
      source.checkpoint(
          ContractProducer.streamState(
              "orders", AirbyteJson.MAPPER.createObjectNode().put("cursor", "lost")),
          Map.of(source.recordTopic("orders") + "/0", 5L, source.recordTopic("users") + "/0", 30L));
      // The next sync of the same task, complete.
      startSync(source, "users", "orders");
      records(source, "orders", 1, 20);
      source.completeSync(true);
      source.flush();
      // State topic: 0 start, 1 checkpoint, 2 checkpoint, 3 start, 4 checkpoint, 5 completed.
      try (RunningTarget target = target("killed", prefix, null)) {
        await(
            "both syncs' records are in and nothing waits",
            Duration.ofSeconds(30),
            () ->
                target.count("users") == 30
                    && target.count("orders") == 20
                    && status(target).checkpointsPending() == 0);
        await(
            "the state topic position moved past both syncs",
            Duration.ofSeconds(30),
            () -> stateTopicPosition(target, source) >= 6);
        Map<String, JsonNode> states = target.query(cache -> cache.states("source-killed"));
        // The killed sync's complete checkpoint is applied; its incomplete one is dropped.
        assertThat(states.get("users").toString()).contains("\"cursor\":30");
        assertThat(states.get("orders").toString()).contains("\"cursor\":20");
        assertThat(status(target).checkpointsDropped()).isEqualTo(1);
        assertThat(status(target).phase()).isEqualTo(BridgeTarget.Phase.RUNNING);
      }
    }
  }

  @Test
  void aSyncWhoseTaskWasKilledTakesBackTheRecordsItsNextSyncSendsAgain() throws Exception {
    String prefix = prefix();
    try (ContractProducer source = new ContractProducer(prefix, "source-killed")) {
      source.createTopics(Map.of("users", 1));
      // The killed sync: users 1..30 and a checkpoint, then 31..40, which no checkpoint covers.
      startSync(source, "users");
      records(source, "users", 1, 30);
      uncheckpointedRecords(source, "users", 31, 40);
      // The task's next sync resumes from the checkpoint: 31..50 again.
      startSync(source, "users");
      records(source, "users", 31, 50);
      source.completeSync(true);
      source.flush();
      try (RunningTarget target = target("killed-append", prefix, null)) {
        await(
            "the killed sync ended as failed and nothing waits",
            Duration.ofSeconds(30),
            () ->
                target.count("users") == 50
                    && status(target).checkpointsPending() == 0
                    && stateTopicPosition(target, source) >= 5);
        long distinct =
            target.query(
                cache -> {
                  try (var rows = cache.rows("users")) {
                    return rows.map(row -> row.get("id").asLong()).distinct().count();
                  }
                });
        assertThat(distinct).as("every user once, with the append strategy").isEqualTo(50);
        assertThat(target.query(cache -> cache.states("source-killed")).get("users").toString())
            .contains("\"cursor\":50");
      }
    }
  }
}
