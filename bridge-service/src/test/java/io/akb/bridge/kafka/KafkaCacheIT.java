package io.akb.bridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.testing.EmbeddedKafka;
import io.akb.bridge.testing.RunningTarget;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.AkbException;
import io.akb.runtime.MessageStream;
import io.akb.runtime.ReadResult;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.testkit.FailingRead;
import io.akb.runtime.testkit.Faker;
import io.akb.runtime.topic.RecordHeaders;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.StreamGenerations;
import io.akb.runtime.topic.TopicNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code source.read(kafkaCache)} with the real faker into a real KRaft broker: the topics follow
 * the contract, the bridge replays them into DuckDB, and a second read resumes from the state read
 * back from the state topic.
 */
class KafkaCacheIT {
  private static final int PARTITIONS = 2;

  @TempDir Path dir;

  @Test
  void fakerReadIntoTopicsIsReplayedByTheBridgeAndASecondReadIsIncremental() throws Exception {
    String prefix = "airbyte.kc-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String usersTopic = TopicNames.recordTopic(prefix, null, "users");
    String stateTopic = TopicNames.stateTopic(prefix);
    Source faker = Faker.source(200);
    faker.selectAllStreams();

    try (KafkaCache cache =
            new KafkaCache(
                Map.of("bootstrap.servers", EmbeddedKafka.bootstrapServers()), prefix, PARTITIONS);
        RunningTarget duck =
            RunningTarget.start(
                "kafkacache-duck",
                "duckdb:" + dir.resolve("kc.duckdb"),
                prefix,
                WriteStrategy.AUTO,
                Map.of(),
                250)) {
      assertThat(cache.state(Faker.NAME)).isNull();

      ReadResult first = faker.read(cache);
      assertThat(first.recordsRead()).containsEntry("users", 200L);
      assertThat(first.get("users").count()).isEqualTo(200);
      try (var rows = first.get("users").records()) {
        assertThat(rows.map(row -> row.get("id").asInt()).distinct().count()).isEqualTo(200);
      }

      // The state topic: SYNC_STARTED, CHECKPOINTs, SYNC_COMPLETED SUCCEEDED.
      List<StateEvent> events =
          EmbeddedKafka.readAll(stateTopic).stream().map(KafkaCacheIT::event).toList();
      assertThat(events.get(0).type()).isEqualTo(StateEvent.Type.SYNC_STARTED);
      assertThat(events.get(0).sourceName()).isEqualTo(Faker.NAME);
      assertThat(events.get(0).catalog().streams()).hasSize(3);
      String syncId = events.get(0).syncId();
      // A first read starts each stream's generation; every record carries its stream's.
      Map<StreamDescriptor, Long> generations = StreamGenerations.of(events.get(0).catalog());
      assertThat(generations).hasSize(3);
      StateEvent completed = events.get(events.size() - 1);
      assertThat(completed.type()).isEqualTo(StateEvent.Type.SYNC_COMPLETED);
      assertThat(completed.status()).isEqualTo(StateEvent.SYNC_SUCCEEDED);
      List<StateEvent> checkpoints =
          events.stream().filter(e -> e.type() == StateEvent.Type.CHECKPOINT).toList();
      assertThat(checkpoints).isNotEmpty();
      assertThat(checkpoints).extracting(StateEvent::syncId).containsOnly(syncId);
      assertThat(checkpoints).extracting(StateEvent::seq).isSorted();
      assertThat(events.stream().filter(e -> e.type() == StateEvent.Type.STREAM_STATUS).count())
          .isEqualTo(3);

      // The records: every user once, keyed, in the partition of its key, with the headers.
      Map<String, Long> inTopics = new HashMap<>();
      Map<Integer, Integer> users = new HashMap<>();
      for (String stream : Faker.STREAMS) {
        for (ConsumerRecord<byte[], byte[]> record :
            EmbeddedKafka.readAll(TopicNames.recordTopic(prefix, null, stream))) {
          inTopics.merge(StateEvent.countsKey(record.topic(), record.partition()), 1L, Long::sum);
          assertThat(header(record, RecordHeaders.SYNC_ID)).isEqualTo(syncId);
          assertThat(header(record, RecordHeaders.GENERATION_ID))
              .isEqualTo(String.valueOf(generations.get(new StreamDescriptor(stream, null))));
          assertThat(header(record, RecordHeaders.STREAM)).isEqualTo(stream);
          assertThat(record.headers().lastHeader(RecordHeaders.NAMESPACE)).isNull();
          if (stream.equals("users")) {
            JsonNode value = AirbyteJson.MAPPER.readTree(record.value());
            int id = value.get("id").asInt();
            users.merge(id, 1, Integer::sum);
            assertThat(text(record.key())).isEqualTo("{\"id\":" + id + "}");
            int expected =
                Utils.toPositive(Utils.murmur2(("[" + id + "]").getBytes(StandardCharsets.UTF_8)))
                    % PARTITIONS;
            assertThat(record.partition()).as("partition of user " + id).isEqualTo(expected);
            assertThat(record.timestamp()).isGreaterThan(1_600_000_000_000L);
            assertThat(value.get("email").asText()).contains("@");
          }
        }
      }
      assertThat(users).hasSize(200);
      assertThat(users.keySet()).allMatch(id -> id >= 1 && id <= 200);
      assertThat(users.values()).containsOnly(1);
      assertThat(inTopics.keySet())
          .contains(StateEvent.countsKey(usersTopic, 0), StateEvent.countsKey(usersTopic, 1));
      assertThat(completed.counts()).isEqualTo(inTopics);
      // Counts are cumulative: the last checkpoint of each stream covers what was sent before it.
      StateEvent lastCheckpoint = checkpoints.get(checkpoints.size() - 1);
      lastCheckpoint
          .counts()
          .forEach((tp, count) -> assertThat(count).as(tp).isLessThanOrEqualTo(inTopics.get(tp)));
      String usersTopicPrefix = usersTopic + "/";
      StateEvent lastUsersCheckpoint =
          checkpoints.stream()
              .filter(e -> e.state().stream().streamDescriptor().name().equals("users"))
              .reduce((a, b) -> b)
              .orElseThrow();
      long usersCheckpointed =
          lastUsersCheckpoint.counts().entrySet().stream()
              .filter(entry -> entry.getKey().startsWith(usersTopicPrefix))
              .mapToLong(Map.Entry::getValue)
              .sum();
      assertThat(usersCheckpointed).isEqualTo(200);

      // The bridge replays the topics into DuckDB: 200 users and the last state.
      duck.awaitCaughtUp();
      assertThat(duck.count("users")).isEqualTo(200);
      Map<String, JsonNode> states = duck.query(c -> c.states(Faker.NAME));
      assertThat(states.get("users")).hasToString(AirbyteJson.toJson(lastUsersCheckpoint.state()));

      // The state read back from the state topic makes the second read incremental.
      JsonNode stored = cache.state(Faker.NAME);
      assertThat(stored).hasSize(3);
      assertThat(stored.toString()).contains(AirbyteJson.toJson(lastUsersCheckpoint.state()));
      ReadResult second = faker.read(cache);
      assertThat(second.recordsRead()).containsEntry("users", 0L);
      assertThat(EmbeddedKafka.readAll(usersTopic)).hasSize(200);
      List<StateEvent> all =
          EmbeddedKafka.readAll(stateTopic).stream().map(KafkaCacheIT::event).toList();
      StateEvent secondCompleted = all.get(all.size() - 1);
      assertThat(secondCompleted.type()).isEqualTo(StateEvent.Type.SYNC_COMPLETED);
      assertThat(secondCompleted.status()).isEqualTo(StateEvent.SYNC_SUCCEEDED);
      assertThat(secondCompleted.syncId()).isNotEqualTo(syncId);
      // Incremental from the states: the streams keep their generations.
      StateEvent secondStarted =
          all.stream()
              .filter(e -> e.type() == StateEvent.Type.SYNC_STARTED)
              .reduce((a, b) -> b)
              .orElseThrow();
      assertThat(secondStarted.syncId()).isEqualTo(secondCompleted.syncId());
      assertThat(StreamGenerations.of(secondStarted.catalog())).isEqualTo(generations);
      duck.awaitCaughtUp();
      assertThat(duck.count("users")).isEqualTo(200);
    }
  }

  @Test
  void aConnectorFailureEndsTheSyncAsFailedAndKeepsTheCheckpointsBeforeIt() throws Exception {
    String prefix = "airbyte.kcfail-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Source faker = Faker.source(100);
    faker.selectAllStreams();
    ConfiguredAirbyteCatalog catalog = faker.configuredCatalog();
    // The recorded faker read up to its first users record, then the connector fails.
    List<AirbyteMessage> recorded = Faker.recordedRead();
    List<AirbyteMessage> before = new ArrayList<>();
    for (AirbyteMessage message : recorded) {
      before.add(message);
      if (message.type() == AirbyteMessage.Type.RECORD
          && message.record().stream().equals("users")) {
        break;
      }
    }
    MessageStream failing =
        FailingRead.after(
            before, new AkbException("Reading source-faker", "it crashed on purpose", "none"));

    try (KafkaCache cache =
        new KafkaCache(
            Map.of("bootstrap.servers", EmbeddedKafka.bootstrapServers()), prefix, PARTITIONS)) {
      assertThatThrownBy(() -> cache.write(faker, catalog, failing))
          .isInstanceOf(AkbException.class)
          .hasMessageContaining("crashed on purpose");

      List<StateEvent> events =
          EmbeddedKafka.readAll(TopicNames.stateTopic(prefix)).stream()
              .map(KafkaCacheIT::event)
              .toList();
      assertThat(events)
          .extracting(StateEvent::type)
          .first()
          .isEqualTo(StateEvent.Type.SYNC_STARTED);
      StateEvent completed = events.get(events.size() - 1);
      assertThat(completed.type()).isEqualTo(StateEvent.Type.SYNC_COMPLETED);
      assertThat(completed.status()).isEqualTo(StateEvent.SYNC_FAILED);
      assertThat(completed.error()).contains("crashed on purpose");
      String productsTopic = TopicNames.recordTopic(prefix, null, "products");
      String usersTopic = TopicNames.recordTopic(prefix, null, "users");
      assertThat(completed.counts().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(101);
      List<StateEvent> checkpoints =
          events.stream().filter(e -> e.type() == StateEvent.Type.CHECKPOINT).toList();
      assertThat(checkpoints).hasSize(1);
      assertThat(checkpoints.get(0).counts().keySet()).allMatch(tp -> tp.startsWith(productsTopic));
      assertThat(checkpoints.get(0).counts().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(100);
      Map<String, String> statuses = new HashMap<>();
      events.stream()
          .filter(e -> e.type() == StateEvent.Type.STREAM_STATUS)
          .forEach(e -> statuses.put(e.stream().name(), e.status()));
      assertThat(statuses)
          .containsEntry("products", StateEvent.STREAM_COMPLETE)
          .containsEntry("users", StateEvent.STREAM_INCOMPLETE)
          .containsEntry("purchases", StateEvent.STREAM_INCOMPLETE);
      assertThat(EmbeddedKafka.readAll(usersTopic)).hasSize(1);
      // Only the checkpointed products state is there to resume from.
      JsonNode state = cache.state(Faker.NAME);
      assertThat(state).hasSize(1);
      assertThat(state.get(0).at("/stream/stream_descriptor/name").asText()).isEqualTo("products");
    }
  }

  private static StateEvent event(ConsumerRecord<byte[], byte[]> record) {
    try {
      assertThat(text(record.key())).isEqualTo(KafkaCache.TASK);
      return AirbyteJson.MAPPER.readValue(record.value(), StateEvent.class);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : text(header.value());
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
