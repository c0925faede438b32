package io.akb.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.connect.ConnectTestCluster;
import io.akb.connect.sink.CommittedOffsetsCheck.Position;
import io.akb.runtime.Airbyte;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.MessageStream;
import io.akb.runtime.Source;
import io.akb.runtime.destination.TestDestinations;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.topic.RecordHeaders;
import io.akb.runtime.topic.StateEvent;
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
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink connector in a real Connect cluster (KRaft broker and worker in the test JVM): the real
 * faker's users, put on topics as the source connector does (topic contract), go into the CDK test
 * destination. The destination is killed mid-stream and the task is restarted; every record arrives
 * at least once and the committed offsets never pass what the destination persisted.
 */
class AirbyteSinkConnectorIT {
  static final String PREFIX = "sinkit.";
  static final String USERS_TOPIC = PREFIX + "users";
  static final String STATE_TOPIC = PREFIX + "_state";
  static final String CONNECTOR = "akb-sink";
  static final int PARTITIONS = 3;
  static final Duration WAIT = Duration.ofMinutes(2);

  static ConnectTestCluster cluster;
  @TempDir static Path out;

  /** Where each user record went, as it was produced. */
  final List<Position> positions = new ArrayList<>();

  CommittedOffsetsCheck offsets;

  @BeforeAll
  static void startCluster() {
    cluster = ConnectTestCluster.start("akb-sink-it", false);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  Map<String, String> sinkConfig() {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", ConnectTestCluster.SINK_CONNECTOR_CLASS);
    config.put("tasks.max", "1");
    config.put("topics.regex", "sinkit\\..*");
    // The sink never reads keys, and the state topic's keys are plain task ids, not JSON.
    config.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    config.put("airbyte.connector.name", TestDestinations.JSON_LINES);
    config.put("airbyte.pip.url", TestDestinations.jsonLinesPackage().toString());
    config.put("airbyte.config", "{\"directory\":\"" + out + "\"}");
    config.put("state.topic", STATE_TOPIC);
    config.put("bootstrap.servers", cluster.bootstrapServers());
    config.put("topic.prefix", PREFIX);
    config.put("commit.echo.wait.ms", "2000");
    return config;
  }

  @Test
  void everyRecordArrivesAtLeastOnceThroughADestinationCrashAndATaskRestart() throws Exception {
    EmbeddedConnectCluster connect = cluster.connect;
    offsets = new CommittedOffsetsCheck(cluster, CONNECTOR);
    connect.kafka().createTopic(USERS_TOPIC, PARTITIONS);
    connect.kafka().createTopic(STATE_TOPIC, 1);
    List<AirbyteMessage> faker = readFaker(600);

    try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of())) {
      Source source = fakerSource(600);
      send(
          producer,
          STATE_TOPIC,
          null,
          StateEvent.syncStarted(
              "sync-1",
              "faker-0",
              "source-faker",
              source.configuredCatalog(),
              System.currentTimeMillis()));
      produce(producer, faker, 0, 200);

      connect.configureConnector(CONNECTOR, sinkConfig());
      await("100 users in the destination", () -> idsInDestination().size() >= 100);
      checkCommittedOffsets();

      // The destination dies: the task restarts it from the confirmed offsets for what follows.
      List<ProcessHandle> killed = destinationProcesses();
      assertThat(killed).isNotEmpty();
      killed.forEach(ProcessHandle::destroyForcibly);
      produce(producer, faker, 200, 400);
      await(
          "the first 400 users after the crash",
          () -> {
            checkCommittedOffsets();
            return idsInDestination().containsAll(ids(1, 400));
          });
      assertThat(destinationProcesses()).isNotEmpty().doesNotContainAnyElementsOf(killed);
      await(
          "offsets committed up to the end",
          () -> offsets.committedTotal() == 400 + stateEventsSent);
      checkCommittedOffsets();

      // The task restarts: it resumes from the committed offsets.
      connect.restartTask(CONNECTOR, 0);
      produce(producer, faker, 400, faker.size());
      await(
          "all 600 users",
          () -> {
            checkCommittedOffsets();
            return idsInDestination().containsAll(ids(1, 600));
          });
      await(
          "offsets committed up to the end",
          () -> offsets.committedTotal() == 600 + stateEventsSent);
    }

    assertThat(offsets.violations())
        .as("committed offsets past what the destination persisted")
        .isEmpty();
    List<Long> lines = idLines();
    assertThat(new HashSet<>(lines)).isEqualTo(ids(1, 600));
    // At least once: what the crash replayed may be there twice, but not much more.
    assertThat(lines.size()).isBetween(600, 1_200);
    assertThat(connect.connectorStatus(CONNECTOR).tasks().get(0).state()).isEqualTo("RUNNING");
  }

  static List<ProcessHandle> destinationProcesses() {
    return ConnectTestCluster.connectorProcesses(TestDestinations.JSON_LINES);
  }

  // --- the source side, as the source connector writes it (topic contract) ---

  long checkpointsSent;
  long stateEventsSent;
  final Map<String, Long> counts = new HashMap<>();

  static Source fakerSource(int count) throws Exception {
    return Airbyte.getSource(
            "source-faker",
            AirbyteJson.parse(
                "{\"count\":" + count + ",\"seed\":7,\"parallelism\":1,\"always_updated\":false}"),
            ConnectorOptions.defaults())
        .selectStreams(List.of("users"));
  }

  /** The faker's users stream: RECORDs and STATEs in order. */
  static List<AirbyteMessage> readFaker(int count) throws Exception {
    List<AirbyteMessage> messages = new ArrayList<>();
    try (MessageStream stream = fakerSource(count).read()) {
      while (stream.hasNext()) {
        AirbyteMessage message = stream.next();
        if (message.type() == AirbyteMessage.Type.RECORD
            || message.type() == AirbyteMessage.Type.STATE) {
          messages.add(message);
        }
      }
    }
    return messages;
  }

  /** Produces users [from, to) of the faker's output (by record number) and its checkpoints. */
  void produce(
      KafkaProducer<byte[], byte[]> producer, List<AirbyteMessage> faker, long from, long to)
      throws Exception {
    long recordNumber = 0;
    for (AirbyteMessage message : faker) {
      if (message.type() == AirbyteMessage.Type.RECORD) {
        if (recordNumber >= from && recordNumber < to) {
          AirbyteRecordMessage record = message.record();
          long id = record.data().get("id").asLong();
          int partition = (int) (id % PARTITIONS);
          RecordMetadata sent =
              producer
                  .send(
                      new ProducerRecord<>(
                          USERS_TOPIC,
                          partition,
                          record.emittedAt(),
                          ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8),
                          AirbyteJson.toJson(record.data()).getBytes(StandardCharsets.UTF_8),
                          List.of(
                              new RecordHeader(RecordHeaders.STREAM, bytes("users")),
                              new RecordHeader(RecordHeaders.SYNC_ID, bytes("sync-1")))))
                  .get();
          positions.add(
              new Position(new TopicPartition(USERS_TOPIC, sent.partition()), sent.offset(), id));
          counts.merge(StateEvent.countsKey(USERS_TOPIC, partition), 1L, Long::sum);
        }
        recordNumber++;
      } else if (recordNumber > from && recordNumber <= to) {
        send(
            producer,
            STATE_TOPIC,
            "faker-0",
            StateEvent.checkpoint(
                "sync-1",
                "faker-0",
                ++checkpointsSent,
                counts,
                message.state(),
                System.currentTimeMillis()));
      }
    }
    producer.flush();
  }

  void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, Object value)
      throws Exception {
    stateEventsSent++;
    producer
        .send(
            new ProducerRecord<>(
                topic,
                key == null ? null : bytes(key),
                AirbyteJson.toJson(value).getBytes(StandardCharsets.UTF_8)))
        .get();
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  // --- what the user checks: the destination's rows and the committed offsets ---

  List<Long> idLines() throws Exception {
    Path file = out.resolve("users.jsonl");
    List<Long> ids = new ArrayList<>();
    if (!Files.exists(file)) {
      return ids;
    }
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank() && line.endsWith("}")) {
        JsonNode row = AirbyteJson.parse(line);
        ids.add(row.get("data").get("id").asLong());
      }
    }
    return ids;
  }

  Set<Long> idsInDestination() {
    try {
      return new HashSet<>(idLines());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Set<Long> ids(long first, long last) {
    Set<Long> ids = new HashSet<>();
    for (long id = first; id <= last; id++) {
      ids.add(id);
    }
    return ids;
  }

  /** Committed offsets never pass the last echoed state (see {@link CommittedOffsetsCheck}). */
  void checkCommittedOffsets() {
    offsets.check(this::idsInDestination, () -> List.copyOf(positions));
  }

  void await(String what, BooleanSupplier done) throws InterruptedException {
    cluster.await(
        what,
        done,
        WAIT,
        () ->
            "destination has "
                + idsInDestination().size()
                + " users; committed "
                + offsets.committed());
  }
}
