package io.akb.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * A real KRaft broker and a real Connect worker in the test JVM, with the plugin installed from the
 * built plugin directory through {@code plugin.path} (as on any worker), JSON converters without
 * schemas, a file config provider, and offsets flushed every second. The source and the sink ITs
 * all run on it.
 */
public final class ConnectTestCluster implements AutoCloseable {
  /** The connector classes by name, as a user gives them over REST: not on the test class path. */
  public static final String SOURCE_CONNECTOR_CLASS =
      "io.akb.connect.source.AirbyteSourceConnector";

  public static final String SINK_CONNECTOR_CLASS = "io.akb.connect.sink.AirbyteSinkConnector";

  public final EmbeddedConnectCluster connect;

  private ConnectTestCluster(EmbeddedConnectCluster connect) {
    this.connect = connect;
  }

  public static ConnectTestCluster start(String name, boolean exactlyOnce) {
    return start(name, exactlyOnce, new Properties());
  }

  /** As {@link #start(String, boolean)}, with these broker settings added. */
  public static ConnectTestCluster start(
      String name, boolean exactlyOnce, Properties extraBrokerProps) {
    Properties broker = brokerProps();
    broker.putAll(extraBrokerProps);
    EmbeddedConnectCluster connect =
        new EmbeddedConnectCluster.Builder()
            .name(name)
            .numWorkers(1)
            .numBrokers(1)
            .brokerProps(broker)
            .workerProps(workerProps(exactlyOnce))
            .build();
    connect.start();
    return new ConnectTestCluster(connect);
  }

  /**
   * The settings of every test worker, in-JVM or a process of its own: the plugin installed from
   * the built plugin directory through {@code plugin.path}, JSON converters without schemas, a file
   * config provider, offsets flushed every second, and exactly-once source support when asked.
   */
  public static Map<String, String> workerProps(boolean exactlyOnce) {
    String pluginPath = System.getProperty("akb.plugin.path");
    assertThat(pluginPath).as("akb.plugin.path (set by failsafe)").isNotNull();
    assertThat(Path.of(pluginPath)).isDirectory();
    Map<String, String> worker = new HashMap<>();
    worker.put("plugin.path", pluginPath);
    worker.put("offset.flush.interval.ms", "1000");
    // Every plugin here has ServiceLoader manifests; reflective scanning of the test class path
    // would add about 40 s per worker.
    worker.put("plugin.discovery", "service_load");
    worker.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
    worker.put("key.converter.schemas.enable", "false");
    worker.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    worker.put("value.converter.schemas.enable", "false");
    worker.put("config.providers", "file");
    worker.put(
        "config.providers.file.class",
        "org.apache.kafka.common.config.provider.FileConfigProvider");
    if (exactlyOnce) {
      worker.put("exactly.once.source.support", "enabled");
    }
    return worker;
  }

  /**
   * The settings of the one test broker: its internal topics (the transaction log for exactly-once,
   * consumer offsets) must fit on it.
   */
  public static Properties brokerProps() {
    Properties broker = new Properties();
    broker.put("transaction.state.log.replication.factor", "1");
    broker.put("transaction.state.log.min.isr", "1");
    broker.put("offsets.topic.replication.factor", "1");
    return broker;
  }

  public String bootstrapServers() {
    return connect.kafka().bootstrapServers();
  }

  /** The test source program, copied out of the class path and made executable. */
  public static Path countingSource(Path dir) {
    try (var in = ConnectTestCluster.class.getResourceAsStream("/counting_source.py")) {
      Path program = dir.resolve("counting_source.py");
      Files.write(program, in.readAllBytes());
      Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
      return program;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A connector config running the test source program (see counting_source.py) with the right API
   * key, writing under {@code prefix}.
   */
  public Map<String, String> countingSourceConfig(
      Path program, String prefix, String sourceConfig) {
    return countingSourceConfig(program, prefix, sourceConfig, bootstrapServers());
  }

  /** As the instance method, for a connector whose task creates topics on {@code bootstrap}. */
  public static Map<String, String> countingSourceConfig(
      Path program, String prefix, String sourceConfig, String bootstrap) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", SOURCE_CONNECTOR_CLASS);
    config.put("airbyte.connector.name", "source-counting");
    config.put("airbyte.executor", "local");
    config.put("airbyte.local.executable", program.toString());
    config.put("airbyte.config", sourceConfig);
    config.put("airbyte.secret.api_key", "open-sesame");
    config.put("topic.prefix", prefix);
    config.put("bootstrap.servers", bootstrap);
    return config;
  }

  /**
   * The test source counting to {@code count} in 30 s or more (10 ms a record, a state every 100),
   * one task, two partitions a topic, under exactly-once ({@code transaction.boundary=connector}),
   * one sync an hour: long enough for a fault to land mid-sync.
   */
  public Map<String, String> slowExactlyOnceCountingSource(Path program, String prefix, int count) {
    Map<String, String> config =
        countingSourceConfig(
            program, prefix, "{\"count\": " + count + ", \"delay_ms\": 10, \"state_every\": 100}");
    config.put("tasks.max", "1");
    config.put("topic.partitions", "2");
    config.put("sync.interval.ms", "3600000");
    config.put("exactly.once.support", "required");
    config.put("transaction.boundary", "connector");
    return config;
  }

  /** What the tests read back from the broker. */
  public TestTopics topics() {
    return new TestTopics(bootstrapServers());
  }

  /** Every record of a topic now, from the beginning to the end (the last stable offset). */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, boolean readCommitted) {
    return topics().readAll(topic, readCommitted);
  }

  public boolean topicExists(String topic) {
    return topics().topicExists(topic);
  }

  /** The state topic's events, parsed. */
  public List<JsonNode> stateEvents(String stateTopic, boolean readCommitted) {
    return topics().stateEvents(stateTopic, readCommitted);
  }

  /** Waits until the state topic holds an event matching the predicate; returns all events. */
  public List<JsonNode> awaitStateEvents(
      String stateTopic, boolean readCommitted, Predicate<List<JsonNode>> done, Duration timeout)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (true) {
      List<JsonNode> events = stateEvents(stateTopic, readCommitted);
      if (done.test(events)) {
        return events;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            "state topic "
                + stateTopic
                + " did not reach the expected events in "
                + timeout
                + "; it has: "
                + events.stream().map(e -> e.path("type").asText()).collect(Collectors.toList())
                + "; connector status: "
                + statusText());
      }
      Thread.sleep(500);
    }
  }

  /** The committed offsets of a sink connector's consumer group ({@code connect-<name>}). */
  public Map<TopicPartition, OffsetAndMetadata> committedOffsets(String sinkConnector) {
    try (Admin admin = connect.kafka().createAdminClient()) {
      return admin
          .listConsumerGroupOffsets("connect-" + sinkConnector)
          .partitionsToOffsetAndMetadata()
          .get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Waits until {@code done} holds, checking every quarter second; fails after {@code timeout}
   * saying what it waited for, what {@code state} describes, and the connectors' status.
   */
  public void await(String what, BooleanSupplier done, Duration timeout, Supplier<String> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out waiting for " + what + "; " + state.get() + "; status " + statusText());
      }
      Thread.sleep(250);
    }
  }

  /**
   * The live connector programs the worker started (processes of this JVM) whose command line
   * contains {@code program}.
   */
  public static List<ProcessHandle> connectorProcesses(String program) {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().orElse("").contains(program))
        .toList();
  }

  public String statusText() {
    try {
      // ConnectorStateInfo's toString names no state: spell out the connector's and each task's.
      return connect.connectors().stream()
          .map(
              name -> {
                var status = connect.connectorStatus(name);
                return name
                    + "="
                    + status.connector().state()
                    + " tasks="
                    + status.tasks().stream()
                        .map(
                            t ->
                                t.id()
                                    + ":"
                                    + t.state()
                                    + (t.trace() == null ? "" : " (" + t.trace() + ")"))
                        .toList();
              })
          .collect(Collectors.joining(", "));
    } catch (RuntimeException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  public static long count(List<JsonNode> events, String type, String status) {
    return events.stream()
        .filter(e -> e.path("type").asText().equals(type))
        .filter(e -> status == null || e.path("status").asText().equals(status))
        .count();
  }

  public static JsonNode json(byte[] bytes) {
    try {
      return AirbyteJson.parse(new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** JSON with numbers compared by value, not by how they were parsed. */
  public static JsonNode plain(JsonNode node) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(node.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    connect.stop();
  }
}
