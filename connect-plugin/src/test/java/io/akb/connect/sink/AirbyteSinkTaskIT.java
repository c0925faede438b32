package io.akb.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.connect.ConnectorSettings;
import io.akb.runtime.destination.TestDestinations;
import io.akb.runtime.topic.RecordHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input and failing destinations, driving the task directly (the test plays the consumer: it
 * delivers records and follows the task's rewinds) against real destination programs.
 */
class AirbyteSinkTaskIT {
  static final String TOPIC = "airbyte.faker.users";
  static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
  static final String CATALOG =
      "{\"streams\":[{\"stream\":{\"name\":\"users\",\"json_schema\":{\"type\":\"object\"},"
          + "\"supported_sync_modes\":[\"full_refresh\"]},\"sync_mode\":\"full_refresh\","
          + "\"destination_sync_mode\":\"append\"}]}";

  @TempDir Path dir;
  AirbyteSinkTask task;
  RecordingSinkTaskContext context;
  final List<Map<TopicPartition, OffsetAndMetadata>> commits = new ArrayList<>();

  @AfterEach
  void stop() {
    if (task != null) {
      task.stop();
    }
  }

  void start(Map<String, String> extra) {
    Map<String, String> props = new HashMap<>();
    props.put(AirbyteSinkConfig.CATALOG_CONFIG, CATALOG);
    props.put(AirbyteSinkConfig.TOPIC_PREFIX_CONFIG, "airbyte.faker.");
    props.putAll(extra);
    task = new AirbyteSinkTask();
    context = new RecordingSinkTaskContext(props);
    task.initialize(context);
    task.start(props);
  }

  Map<String, String> jsonLines() {
    return Map.of(
        ConnectorSettings.CONNECTOR_NAME_CONFIG,
        TestDestinations.JSON_LINES,
        ConnectorSettings.PIP_URL_CONFIG,
        TestDestinations.jsonLinesPackage().toString(),
        ConnectorSettings.CONNECTOR_CONFIG_CONFIG,
        "{\"directory\":\"" + dir + "\"}");
  }

  Map<String, String> misbehaving(String config) {
    return Map.of(
        ConnectorSettings.CONNECTOR_NAME_CONFIG,
        "misbehaving-destination",
        ConnectorSettings.LOCAL_EXECUTABLE_CONFIG,
        TestDestinations.misbehavingProgram().toString(),
        ConnectorSettings.CONNECTOR_CONFIG_CONFIG,
        config);
  }

  static Map<String, String> with(Map<String, String> a, String... pairs) {
    Map<String, String> all = new HashMap<>(a);
    for (int i = 0; i < pairs.length; i += 2) {
      all.put(pairs[i], pairs[i + 1]);
    }
    return all;
  }

  static SinkRecord user(long offset, String stream) {
    ConnectHeaders headers = new ConnectHeaders();
    if (stream != null) {
      headers.addString(RecordHeaders.STREAM, stream);
    }
    return new SinkRecord(
        TOPIC,
        0,
        null,
        null,
        null,
        Map.of("id", offset),
        offset,
        1_700_000_000_000L + offset,
        TimestampType.CREATE_TIME,
        headers);
  }

  static List<SinkRecord> users(long from, long to) {
    List<SinkRecord> records = new ArrayList<>();
    for (long offset = from; offset < to; offset++) {
      records.add(user(offset, null));
    }
    return records;
  }

  Long commit() {
    Map<TopicPartition, OffsetAndMetadata> committed =
        task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(Long.MAX_VALUE)));
    commits.add(committed);
    OffsetAndMetadata offset = committed.get(PARTITION);
    return offset == null ? null : offset.offset();
  }

  /** Commits until something is committed: a destination starting up echoes late. */
  Long commitUntilConfirmed() throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      Long committed = commit();
      if (committed != null) {
        return committed;
      }
      Thread.sleep(100);
    }
    return null;
  }

  @Test
  void recordOfAStreamTheCatalogLacksGoesToTheDeadLetterReporterWithToleranceAll()
      throws Exception {
    start(with(jsonLines(), "errors.tolerance", "all"));

    task.put(List.of(user(0, null), user(1, "orders"), user(2, "users")));

    assertThat(commitUntilConfirmed()).isEqualTo(3L);
    assertThat(context.errant).extracting(SinkRecord::kafkaOffset).containsExactly(1L);
    assertThat(context.errantReasons.get(0))
        .hasMessageContaining(
            "stream 'orders' is not in the destination's catalog (streams: [users])");
    assertThat(Files.readAllLines(dir.resolve("users.jsonl")))
        .hasSize(2)
        .allMatch(line -> line.contains("\"stream\": \"users\""));
  }

  @Test
  void recordOfAStreamTheCatalogLacksFailsTheTaskWithoutTolerance() {
    start(jsonLines());

    assertThatThrownBy(() -> task.put(List.of(user(0, null), user(1, "orders"))))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("Record airbyte.faker.users/0@1 cannot be written")
        .hasMessageContaining("stream 'orders' is not in the destination's catalog")
        .hasMessageContaining("errors.tolerance=all");
  }

  /** Plays the consumer: delivers from its position and follows the task's rewinds. */
  ConnectException deliverUntil(long end, int rounds) throws InterruptedException {
    long position = 0;
    for (int round = 0; round < rounds; round++) {
      try {
        if (position < end) {
          task.put(users(position, Math.min(end, position + 5)));
          position = Math.min(end, position + 5);
        } else {
          task.put(List.of());
        }
        Long committed = commit();
        if (committed != null && committed >= end) {
          return null;
        }
        Thread.sleep(50);
      } catch (ConnectException e) {
        return e;
      }
      Long rewind = context.rewinds.remove(PARTITION);
      if (rewind != null) {
        position = rewind;
      }
    }
    return null;
  }

  @Test
  void destinationCrashingOnTheNthRecordIsRestartedAndTheRecordThatKillsItNamed() throws Exception {
    start(misbehaving("{\"crash_after_records\":3}"));

    ConnectException failure = deliverUntil(20, 400);

    // The first crash leaves records unconfirmed; the replay sends them one at a time, each
    // echoed before the next, and the fresh destination dies on its 4th: that record is named.
    assertThat(failure).isNotNull();
    assertThat(failure.getMessage())
        .contains("made the destination exit")
        .contains("exited with code 1")
        .contains("cannot store record 4: disk on fire")
        .contains("errors.tolerance=all");
    // Nothing past a record the destination did not confirm was ever committed.
    String culprit =
        failure.getMessage().replaceAll("(?s).*Record airbyte.faker.users/0@(\\d+) made.*", "$1");
    assertThat(commits)
        .allSatisfy(
            c -> {
              if (c.containsKey(PARTITION)) {
                assertThat(c.get(PARTITION).offset()).isLessThanOrEqualTo(Long.parseLong(culprit));
              }
            });
  }

  @Test
  void recordThatKillsTheDestinationGoesToTheDeadLetterReporterWithToleranceAll() throws Exception {
    start(with(misbehaving("{\"crash_on_id\":5}"), "errors.tolerance", "all"));

    ConnectException failure = deliverUntil(10, 400);
    Long committed = commitUntilConfirmed();

    assertThat(failure).isNull();
    assertThat(context.errant).extracting(SinkRecord::kafkaOffset).containsExactly(5L);
    assertThat(context.errantReasons.get(0)).hasMessageContaining("poison");
    assertThat(committed).isEqualTo(10L);
  }

  @Test
  void destinationThatNeverEchoesFailsTheTaskAndNothingIsCommitted() throws Exception {
    start(
        with(
            misbehaving("{\"echo_states\":false}"),
            AirbyteSinkConfig.STATE_ECHO_TIMEOUT_CONFIG,
            "1000",
            AirbyteSinkConfig.COMMIT_WAIT_CONFIG,
            "0"));
    task.put(users(0, 3));
    assertThat(commit()).isNull();

    Thread.sleep(1_200);

    assertThatThrownBy(() -> task.put(List.of()))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("did not echo STATE 1 within 1 s")
        .hasMessageContaining("the 3 records sent since the last echoed state are not confirmed");
    assertThat(commit()).isNull();
  }
}
