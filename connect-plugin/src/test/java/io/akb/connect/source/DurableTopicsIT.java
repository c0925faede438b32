package io.akb.connect.source;

import static io.akb.connect.ConnectTestCluster.count;
import static org.assertj.core.api.Assertions.assertThat;

import io.akb.connect.ConnectTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topics the source connector creates keep their records whatever their timestamps: on a broker
 * with its default retention (7 days) checked every 200 ms, records whose {@code emitted_at} is a
 * year old are all still there after several checks.
 */
class DurableTopicsIT {
  private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(2);
  private static final long YEAR_MS = Duration.ofDays(365).toMillis();

  private static ConnectTestCluster cluster;

  @TempDir static Path tmp;

  @BeforeAll
  static void startCluster() {
    Properties broker = new Properties();
    broker.put("log.retention.check.interval.ms", "200");
    // The broker's log tasks (retention among them) otherwise start 30 s after it does.
    broker.put("log.initial.task.delay.ms", "0");
    cluster = ConnectTestCluster.start("akb-durable-it", false, broker);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private Map<String, String> yearOldRecords(String prefix, int count) {
    long yearAgo = System.currentTimeMillis() - YEAR_MS;
    Map<String, String> config =
        cluster.countingSourceConfig(
            ConnectTestCluster.countingSource(tmp),
            prefix,
            "{\"count\": " + count + ", \"emitted_at\": " + yearAgo + "}");
    config.put("sync.interval.ms", "3600000");
    return config;
  }

  private void syncOnce(String connector, Map<String, String> config, String prefix)
      throws InterruptedException {
    cluster.connect.configureConnector(connector, config);
    cluster.awaitStateEvents(
        prefix + "_state",
        false,
        events -> count(events, "SYNC_COMPLETED", "SUCCEEDED") == 1,
        SYNC_TIMEOUT);
  }

  @Test
  void yearOldRecordsStayInTheTopicsTheConnectorCreated() throws Exception {
    String prefix = "durable.";
    syncOnce("durable", yearOldRecords(prefix, 50), prefix);

    // Past a dozen retention checks: a topic with the broker's 7 days would be empty by now.
    Thread.sleep(3_000);

    List<ConsumerRecord<byte[], byte[]>> records = cluster.readAll(prefix + "numbers", false);
    assertThat(records).hasSize(50);
    assertThat(records)
        .extracting(r -> ConnectTestCluster.json(r.value()).path("id").asInt())
        .containsExactlyInAnyOrderElementsOf(
            java.util.stream.IntStream.rangeClosed(1, 50).boxed().toList());
    assertThat(records)
        .allSatisfy(
            r -> assertThat(r.timestamp()).isLessThan(System.currentTimeMillis() - YEAR_MS / 2));
    assertThat(count(cluster.stateEvents(prefix + "_state", false), "CHECKPOINT", null))
        .isPositive();

    Map<String, Map<String, String>> configs =
        topicConfigs(List.of(prefix + "numbers", prefix + "_state"));
    for (String topic : List.of(prefix + "numbers", prefix + "_state")) {
      assertThat(configs.get(topic))
          .as(topic)
          .containsEntry("retention.ms", "-1")
          .containsEntry("retention.bytes", "-1")
          .containsEntry("cleanup.policy", "delete");
    }
    cluster.connect.deleteConnector("durable");
  }

  @Test
  void keyedStreamsTopicsAreCompactedWhenAskedAndTheStateTopicNever() throws Exception {
    String prefix = "compacted.";
    Map<String, String> config = yearOldRecords(prefix, 5);
    config.put("topic.cleanup.policy", "compact");
    config.put("topic.retention.ms", "-1");
    syncOnce("compacted", config, prefix);

    Map<String, Map<String, String>> configs =
        topicConfigs(List.of(prefix + "numbers", prefix + "_state"));
    // numbers has a primary key (id): compaction keeps the latest record per id.
    assertThat(configs.get(prefix + "numbers")).containsEntry("cleanup.policy", "compact");
    assertThat(configs.get(prefix + "_state"))
        .containsEntry("cleanup.policy", "delete")
        .containsEntry("retention.ms", "-1");
    assertThat(cluster.readAll(prefix + "numbers", false)).hasSize(5);
    cluster.connect.deleteConnector("compacted");
  }

  @Test
  void anExistingTopicWithAFiniteRetentionGetsAWarningNamingTheSetting() throws Exception {
    String prefix = "finite.";
    try (Admin admin = cluster.connect.kafka().createAdminClient()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(prefix + "numbers", 1, (short) 1)
                      .configs(Map.of("retention.ms", "86400000"))))
          .all()
          .get();
    }
    Map<String, String> config =
        cluster.countingSourceConfig(
            ConnectTestCluster.countingSource(tmp), prefix, "{\"count\": 5}");
    syncOnce("finite", config, prefix);

    String log = Files.readString(Path.of(System.getProperty("org.slf4j.simpleLogger.logFile")));
    assertThat(log)
        .contains(
            "Topic finite.numbers has retention.ms=86400000: the broker deletes records by their"
                + " timestamp")
        .contains("--entity-name finite.numbers --add-config retention.ms=-1")
        .contains("set this connector's topic.retention.ms to 86400000");
    // The topic AKB created itself keeps everything and is not warned about.
    assertThat(log).doesNotContain("Topic finite._state has");
    assertThat(topicConfigs(List.of(prefix + "numbers")).get(prefix + "numbers"))
        .as("an existing topic keeps its own settings")
        .containsEntry("retention.ms", "86400000");
    cluster.connect.deleteConnector("finite");
  }

  private static Map<String, Map<String, String>> topicConfigs(List<String> topics)
      throws Exception {
    try (Admin admin = cluster.connect.kafka().createAdminClient()) {
      Map<ConfigResource, Config> described =
          admin
              .describeConfigs(
                  topics.stream()
                      .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                      .toList())
              .all()
              .get();
      return described.entrySet().stream()
          .collect(
              Collectors.toMap(
                  e -> e.getKey().name(),
                  e ->
                      e.getValue().entries().stream()
                          .filter(c -> c.value() != null)
                          .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value))));
    }
  }
}
