package io.akb.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docker-compose.yml} started for real by {@code docker-compose} (Debian's 1.29, which
 * ./run-tests installs), with {@code docker-compose.test.yml} on top: Kafka, the Connect worker and
 * the bridge from the images the build makes ({@link TestImages}; the Kafka broker from Maven
 * jars), on the host network, and the machine's PostgreSQL. A source-faker sync goes through the
 * stack as a user runs it: the shipped connector config is PUT to the worker, the source connector
 * writes the topics, and the bridge's two shipped targets (DuckDB and PostgreSQL) replay them. Then
 * every stream has, in each cache, as many rows as its topic has records, and the last state of
 * each stream is the one the bridge reports. The stack is taken {@code down -v} at the end.
 */
class ComposeStackIT {
  private static final String PROJECT = "akb-compose-it";
  private static final int FAKER_USERS = 100;
  private static final List<String> STREAMS = List.of("users", "products", "purchases");
  private static final String PREFIX = "airbyte.source-faker.";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path dir;
  private static final Map<String, String> environment = new HashMap<>();
  private static Path composeFile;
  private static String database;
  private static boolean started;
  private static String kafka;
  private static String connectUrl;
  private static String bridgeUrl;

  @BeforeAll
  static void startTheStack() throws Exception {
    assumeTrue(
        Docker.engineAnswers(),
        "No Docker engine answers `docker info`: the compose stack is not started."
            + " ./run-tests starts one (dockerd without bridge networking).");
    assumeTrue(
        onPath("docker-compose"),
        "docker-compose is not installed (./run-tests installs it): the stack is not started.");
    long start = System.nanoTime();
    TestImages.build();
    long built = System.nanoTime();

    int kafkaPort = TestHost.freePort();
    kafka = "127.0.0.1:" + kafkaPort;
    int connectPort = TestHost.freePort();
    connectUrl = "http://127.0.0.1:" + connectPort;
    int bridgePort = TestHost.freePort();
    bridgeUrl = "http://127.0.0.1:" + bridgePort;
    database = TestHost.createDatabase("akb_compose_");
    environment.put("AKB_TEST_KAFKA_PORT", String.valueOf(kafkaPort));
    environment.put("AKB_TEST_KAFKA_CONTROLLER_PORT", String.valueOf(TestHost.freePort()));
    environment.put("AKB_TEST_CONNECT_PORT", String.valueOf(connectPort));
    environment.put("AKB_TEST_BRIDGE_PORT", String.valueOf(bridgePort));
    environment.put("AKB_TEST_POSTGRES_CACHE", "postgres:" + database);
    environment.put(
        "AKB_TEST_POSTGRES_PORT",
        String.valueOf(URI.create(TestHost.POSTGRES_SERVER.substring(5)).getPort()));
    environment.put(
        "AKB_TEST_BRIDGE_DATA", Files.createDirectories(dir.resolve("bridge")).toString());
    environment.put("AKB_TEST_CONNECTOR_VENVS", TestHost.containerVenvs().toString());
    composeFile = composeFileForVersion1();

    compose("down.log", "down", "-v", "--remove-orphans"); // a killed run's leftovers
    started = true;
    compose("up.log", "up", "-d", "--no-build");
    System.out.printf(
        "ComposeStackIT: images in %d s, stack up in %d s%n",
        (built - start) / 1_000_000_000, (System.nanoTime() - built) / 1_000_000_000);
  }

  @AfterAll
  static void takeTheStackDown() {
    if (started) {
      try {
        compose("compose-services.log", "logs", "--no-color");
        compose("down.log", "down", "-v");
      } catch (IOException | InterruptedException | AssertionError e) {
        // the next run's `down` removes what is left
      }
    }
    if (database != null) {
      TestHost.dropDatabase(database);
    }
  }

  @Test
  void fakerSyncGoesThroughConnectAndKafkaIntoBothCachesOfTheBridge() throws Exception {
    long start = System.nanoTime();
    await(connectUrl + "/connector-plugins", plugins -> plugins.size() > 0);
    // The connector config docker-compose users PUT, with this stack's address and a smaller count.
    ObjectNode config =
        (ObjectNode)
            JSON.readTree(Docker.ROOT.resolve("deploy/connectors/source-faker.json").toFile());
    config.put("bootstrap.servers", kafka);
    config.put("airbyte.config", "{\"count\": " + FAKER_USERS + ", \"seed\": 42}");
    HttpResponse<String> created =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(connectUrl + "/connectors/source-faker/config"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    // The first install of source-faker in the worker can outlast Connect's 90 s REST timeout;
    // the connector is created when it ends.
    if (created.statusCode() == 500) {
      assertThat(created.body()).contains("Request timed out");
    } else {
      assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
    }

    // Both targets have applied a complete checkpoint of every stream that covers all its records.
    JsonNode targets = await(bridgeUrl + "/targets", all -> all.size() == 2 && synced(all));
    Map<String, Long> topicRecords = topicRecordCounts();
    System.out.printf(
        "ComposeStackIT: faker sync through the stack in %d s: %s%n",
        (System.nanoTime() - start) / 1_000_000_000, topicRecords);
    assertThat(topicRecords).containsEntry("users", (long) FAKER_USERS);

    // The DuckDB file is the bridge's alone while it runs.
    compose("stop-bridge.log", "stop", "bridge");
    Path duckdb = Path.of(environment.get("AKB_TEST_BRIDGE_DATA"), "default_cache.duckdb");
    Map<String, String> urls = Map.of("duckdb", "jdbc:duckdb:" + duckdb, "postgres", database);
    for (JsonNode target : targets) {
      String name = target.path("name").asText();
      try (Connection connection = DriverManager.getConnection(urls.get(name))) {
        Map<String, JsonNode> states = states(connection);
        for (String stream : STREAMS) {
          assertThat(count(connection, stream))
              .as(name + " rows of " + stream)
              .isEqualTo(topicRecords.get(stream));
          JsonNode reported = stream(target, stream).path("lastCheckpoint").path("stream");
          assertThat(states.get(stream))
              .as(name + " _airbyte_state of " + stream)
              .isEqualTo(reported.path("stream_state"));
        }
        assertThat(states.get("users").path("loop_offset").asLong()).isEqualTo(FAKER_USERS);
      }
    }
  }

  /** Every stream's last checkpoint applied, with as many records as the source counted. */
  private static boolean synced(JsonNode targets) {
    for (JsonNode target : targets) {
      for (String name : STREAMS) {
        JsonNode stream = stream(target, name);
        JsonNode counted = stream.at("/lastCheckpoint/sourceStats/recordCount");
        if (counted.isMissingNode() || stream.path("recordsApplied").asLong() != counted.asLong()) {
          return false;
        }
      }
      if (stream(target, "users").path("recordsApplied").asLong() != FAKER_USERS) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode stream(JsonNode target, String name) {
    for (JsonNode stream : target.path("streams")) {
      if (stream.path("stream").asText().equals(name)) {
        return stream;
      }
    }
    return JSON.missingNode();
  }

  /** Records per stream in the faker's topics, read committed (the worker writes transactions). */
  private static Map<String, Long> topicRecordCounts() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    Map<String, Long> counts = new TreeMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      for (String stream : STREAMS) {
        List<TopicPartition> partitions =
            consumer.partitionsFor(PREFIX + stream, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long records = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
            && System.nanoTime() < deadline) {
          records += consumer.poll(Duration.ofSeconds(1)).count();
        }
        counts.put(stream, records);
      }
    }
    return counts;
  }

  private static long count(Connection connection, String table) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** Each stream's stream_state in the cache's {@code _airbyte_state}, as PyAirbyte reads it. */
  private static Map<String, JsonNode> states(Connection connection)
      throws SQLException, IOException {
    Map<String, JsonNode> states = new HashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT stream_name, state_json FROM _airbyte_state")) {
      while (rows.next()) {
        JsonNode state = JSON.readTree(rows.getString(2));
        states.put(rows.getString(1), state.path("stream").path("stream_state"));
      }
    }
    return states;
  }

  /**
   * docker-compose.yml as docker-compose 1.29 with host networking takes it: without the top-level
   * {@code name} (a Compose v2 key) and without {@code ports} (host networking publishes nothing;
   * 1.29 refuses both together). Everything else is the file as shipped.
   */
  private static Path composeFileForVersion1() throws IOException {
    YAMLMapper yaml = new YAMLMapper();
    ObjectNode compose =
        (ObjectNode) yaml.readTree(Docker.ROOT.resolve("docker-compose.yml").toFile());
    compose.remove("name");
    compose.get("services").forEach(service -> ((ObjectNode) service).remove("ports"));
    Path file = Files.createDirectories(Path.of("target", "compose")).resolve("docker-compose.yml");
    yaml.writeValue(file.toFile(), compose);
    return file.toAbsolutePath();
  }

  private static String compose(String log, String... arguments)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "docker-compose",
                "-p",
                PROJECT,
                "--project-directory",
                Docker.ROOT.toString(),
                "-f",
                composeFile.toString(),
                "-f",
                Docker.ROOT.resolve("docker-compose.test.yml").toString()));
    command.addAll(List.of(arguments));
    return Docker.run(log, 10, environment, command.toArray(String[]::new));
  }

  /**
   * GETs {@code url} until it answers 200 with JSON that satisfies {@code ready}; fails with the
   * services' logs after five minutes (the first faker run installs it from PyPI).
   */
  private static JsonNode await(String url, Predicate<JsonNode> ready) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> response =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        last = response.statusCode() + " " + response.body();
        if (response.statusCode() == 200) {
          JsonNode body = JSON.readTree(response.body());
          if (ready.test(body)) {
            return body;
          }
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(1000);
    }
    String logs =
        Docker.tail(compose("compose-services.log", "logs", "--no-color", "--tail", "40"));
    return fail("GET %s never answered as expected; last: %s%nservices:%n%s", url, last, logs);
  }

  /** Venvs the Connect container installs, kept across runs (shared with ContainerImagesIT). */
  private static boolean onPath(String program) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
  }
}
