package io.akb.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.bridge.local.EmbeddedKafkaBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Connect and bridge images as a user builds and runs them: {@code deploy/connect/Dockerfile}
 * and {@code deploy/bridge/Dockerfile} are built by the local Docker engine from the repository
 * root, FROM a Debian JRE + Python base built here without any registry ({@link TestImages}), and
 * run on the host network against a Kafka broker in this JVM. The Connect worker loads the AKB
 * plugin and runs the real source-faker (installed from PyPI inside the container); the bridge,
 * configured by the shipped {@code deploy/bridge/application.properties} with only its addresses
 * overridden, replays the faker's topics into its DuckDB and PostgreSQL targets.
 *
 * <p>The tests run in the order a docker-compose user goes: both containers start, the worker lists
 * its plugins, the faker connector is created, its records reach the bridge's targets, and then the
 * bridge reports UP (before the first sync has created its sources' topics, it reports DOWN and
 * retries).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerImagesIT {
  private static final int FAKER_USERS = 100;

  /** Debian's CA bundle, the same path on this machine and in the images. */
  private static final Path HOST_CA_BUNDLE = Path.of("/etc/ssl/certs/ca-certificates.crt");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path dir;
  private static boolean engineAnswers;
  private static EmbeddedKafkaBroker broker;
  private static String database;
  private static final List<String> containers = new ArrayList<>();

  /** Fixed container names: one left by a killed run is removed when the next one starts. */
  private static final String CONNECT = "akb-it-connect";

  private static final String BRIDGE = "akb-it-bridge";
  private static String connectUrl;
  private static String bridgeUrl;

  @BeforeAll
  static void buildAndStartBothImages() throws Exception {
    engineAnswers = Docker.engineAnswers();
    if (!engineAnswers) {
      return; // each test reports itself skipped, saying why (onlyWithADockerEngine)
    }
    TestImages.build();
    broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"));
    database = TestHost.createDatabase("akb_deploy_");
    int connectPort = TestHost.freePort();
    connectUrl = "http://127.0.0.1:" + connectPort;
    List<String> connectOptions =
        new ArrayList<>(
            List.of(
                "-e", "CONNECT_BOOTSTRAP_SERVERS=" + broker.bootstrapServers(),
                "-e", "CONNECT_LISTENERS=" + connectUrl,
                // Connector venvs outlive the container, as the compose file's volume keeps them.
                "-v", TestHost.containerVenvs() + ":/var/lib/akb"));
    if (Files.isRegularFile(HOST_CA_BUNDLE)) {
      // pip in the container trusts what this machine trusts: behind a TLS-inspecting proxy,
      // that is the proxy's CA too (a user there mounts their bundle the same way).
      connectOptions.addAll(List.of("-v", HOST_CA_BUNDLE + ":" + HOST_CA_BUNDLE + ":ro"));
    }
    containers.add(Docker.start(CONNECT, connectOptions, TestImages.CONNECT));
    int bridgePort = TestHost.freePort();
    bridgeUrl = "http://127.0.0.1:" + bridgePort;
    containers.add(
        Docker.start(
            BRIDGE,
            List.of(
                "-v",
                Docker.ROOT.resolve("deploy/bridge/application.properties")
                    + ":/work/config/application.properties:ro",
                // Only the addresses differ from docker-compose.yml's network.
                "-e",
                "AKB_KAFKA_BOOTSTRAP_SERVERS=" + broker.bootstrapServers(),
                "-e",
                "AKB_TARGETS_POSTGRES_CACHE=postgres:" + database,
                "-e",
                "QUARKUS_HTTP_HOST=127.0.0.1",
                "-e",
                "QUARKUS_HTTP_PORT=" + bridgePort),
            TestImages.BRIDGE));
  }

  @BeforeEach
  void onlyWithADockerEngine() {
    assumeTrue(
        engineAnswers,
        "No Docker engine answers `docker info`: the images are neither built nor run."
            + " ./run-tests starts one (dockerd without bridge networking).");
  }

  @AfterAll
  static void stopEverything() {
    containers.forEach(Docker::remove);
    if (broker != null) {
      broker.close();
    }
    if (database != null) {
      TestHost.dropDatabase(database);
    }
  }

  @Test
  @Order(1)
  void connectWorkerOffersTheAirbyteSourceAndSinkFromThePluginDirectory() throws Exception {
    JsonNode plugins = await(connectUrl + "/connector-plugins", r -> true, CONNECT);

    assertThat(plugins.findValuesAsText("class"))
        .contains(
            "io.akb.connect.source.AirbyteSourceConnector",
            "io.akb.connect.sink.AirbyteSinkConnector");
  }

  @Test
  @Order(2)
  void fakerRecordsGoFromTheConnectContainerThroughKafkaIntoBothBridgeTargets() throws Exception {
    await(connectUrl + "/connector-plugins", r -> true, CONNECT);
    // The connector config docker-compose users PUT, with the addresses of this test and a
    // smaller count.
    ObjectNode config =
        (ObjectNode)
            JSON.readTree(Docker.ROOT.resolve("deploy/connectors/source-faker.json").toFile());
    config.put("bootstrap.servers", broker.bootstrapServers());
    config.put("airbyte.config", "{\"count\": " + FAKER_USERS + ", \"seed\": 42}");
    HttpResponse<String> created =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(connectUrl + "/connectors/source-faker/config"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    // Validating the config installs airbyte-source-faker from PyPI inside the container; the
    // first time, that outlasts Connect's 90 s REST timeout, and the connector is created when
    // the install ends.
    if (created.statusCode() == 500) {
      assertThat(created.body()).contains("Request timed out");
    } else {
      assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
    }
    await(
        connectUrl + "/connectors/source-faker/status",
        status -> status.at("/tasks/0/state").asText().equals("RUNNING"),
        CONNECT);

    for (String target : List.of("duckdb", "postgres")) {
      JsonNode users =
          await(
              bridgeUrl + "/targets/" + target + "/streams/users/rows?limit=5",
              rows -> rows.path("count").asLong() >= FAKER_USERS,
              CONNECT,
              BRIDGE);
      assertThat(users.path("count").asLong()).as(target).isEqualTo(FAKER_USERS);
      assertThat(users.path("rows")).as(target).hasSize(5);
      assertThat(users.path("rows").get(0).path("email").asText()).as(target).contains("@");
      JsonNode streams = get(bridgeUrl + "/targets/" + target + "/streams");
      assertThat(streams).extracting(JsonNode::asText).contains("users", "products", "purchases");
    }
  }

  @Test
  @Order(3)
  void bridgeReportsUpWithBothTargetsOfTheShippedConfiguration() throws Exception {
    JsonNode health =
        await(bridgeUrl + "/q/health", h -> h.path("status").asText().equals("UP"), BRIDGE);

    assertThat(health.path("status").asText()).isEqualTo("UP");
    JsonNode targets = await(bridgeUrl + "/targets", t -> t.size() == 2, BRIDGE);
    assertThat(targets)
        .extracting(target -> target.path("name").asText(), target -> target.path("phase").asText())
        .containsExactlyInAnyOrder(tuple("postgres", "RUNNING"), tuple("duckdb", "RUNNING"));
  }

  /**
   * GETs {@code url} until it answers 200 with JSON that satisfies {@code ready}; fails with the
   * containers' logs when that takes over five minutes (the first faker run installs from PyPI).
   */
  private static JsonNode await(String url, Predicate<JsonNode> ready, String... containers)
      throws InterruptedException {
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
    StringBuilder logs = new StringBuilder();
    for (String container : containers) {
      logs.append("\nlog of ").append(container).append(":\n").append(Docker.logs(container));
    }
    return fail("GET %s never answered as expected; last: %s%s", url, last, logs);
  }

  private static JsonNode get(String url) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** Venvs the Connect container installs, kept across test runs as a named volume would be. */
}
