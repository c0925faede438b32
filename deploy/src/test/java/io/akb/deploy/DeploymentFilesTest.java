package io.akb.deploy;

import static io.akb.deploy.Docker.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.akb.connect.source.AirbyteSourceConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Checks the deployment files without building or running anything: docker-compose validates the
 * compose files, the Dockerfiles copy files the build really produces, and the connector config
 * shipped for docker-compose is one the source connector accepts. KubernetesManifestsTest checks
 * the Kubernetes manifests; ContainerImagesIT and ComposeStackIT build and run the images.
 */
class DeploymentFilesTest {
  /** Options Connect itself reads from a connector config, beside the connector's own. */
  private static final Set<String> CONNECT_OPTIONS =
      Set.of(
          "name",
          "connector.class",
          "tasks.max",
          "exactly.once.support",
          "transaction.boundary",
          "key.converter",
          "value.converter");

  private final ObjectMapper yaml = new YAMLMapper();

  @Test
  void composeRunsKafkaConnectBridgeAndPostgresFromTheRepositoryDockerfiles() throws IOException {
    JsonNode compose = yaml.readTree(ROOT.resolve("docker-compose.yml").toFile());
    JsonNode services = compose.get("services");

    assertThat(compose.path("name").asText()).isEqualTo("akb");
    assertThat(services.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("kafka", "postgres", "connect", "bridge");
    for (String service : List.of("kafka", "connect", "bridge")) {
      Path dockerfile = ROOT.resolve(services.get(service).get("build").get("dockerfile").asText());
      assertThat(dockerfile).isRegularFile();
      assertThat(copySources(dockerfile)).allSatisfy(this::assertBuiltOrCommitted);
    }
    String mountedConfig = services.get("bridge").get("volumes").get(0).asText().split(":")[0];
    assertThat(ROOT.resolve(mountedConfig)).isRegularFile();
  }

  /**
   * Config updates (a token a connector refreshed) outlive containers: the Connect and bridge
   * images set {@code AKB_CONFIG_UPDATES_DIR}, the compose file sets the same and mounts a named
   * volume of each service's own over it, and the shipped connector's {@code
   * airbyte.config.updates.dir} is that directory.
   */
  @Test
  void configUpdatesAreKeptOnAPersistentVolumeOfEachService() throws IOException {
    String dir = "/var/lib/akb-state/config-updates";
    JsonNode compose = yaml.readTree(ROOT.resolve("docker-compose.yml").toFile());
    List<String> volumesUsed = new ArrayList<>();
    for (String service : List.of("connect", "bridge")) {
      JsonNode definition = compose.get("services").get(service);
      assertThat(Files.readString(ROOT.resolve(definition.get("build").get("dockerfile").asText())))
          .as(service + " image")
          .contains("AKB_CONFIG_UPDATES_DIR=" + dir);
      assertThat(definition.get("environment").path("AKB_CONFIG_UPDATES_DIR").asText())
          .as(service)
          .isEqualTo(dir);
      List<String> named = new ArrayList<>();
      definition
          .get("volumes")
          .forEach(
              volume -> {
                String[] parts = volume.asText().split(":");
                if (compose.get("volumes").has(parts[0]) && dir.startsWith(parts[1] + "/")) {
                  named.add(parts[0]);
                }
              });
      assertThat(named).as(service + " has a named volume over " + dir).hasSize(1);
      volumesUsed.add(named.get(0));
    }
    assertThat(volumesUsed).as("each service's own volume").doesNotHaveDuplicates();
    JsonNode connector =
        JsonMapper.builder()
            .build()
            .readTree(ROOT.resolve("deploy/connectors/source-faker.json").toFile());
    assertThat(connector.path("airbyte.config.updates.dir").asText()).isEqualTo(dir);
  }

  /**
   * {@code docker-compose config} (Debian's docker-compose package, which ./run-tests installs)
   * parses and validates the file against the Compose specification: unknown or misspelt keys,
   * wrong types, a depends_on naming no service, a build context that does not exist.
   */
  @Test
  void dockerComposeAcceptsTheComposeFile() throws Exception {
    assumeTrue(
        onPath("docker-compose"),
        "docker-compose is not installed (apt-get install docker-compose; ./run-tests does):"
            + " docker-compose.yml is not validated by it");
    ObjectNode compose = (ObjectNode) yaml.readTree(ROOT.resolve("docker-compose.yml").toFile());
    // The top-level project name came with Compose v2; docker-compose 1.29 knows everything else.
    compose.remove("name");

    dockerComposeConfig(compose);
  }

  /**
   * docker-compose.test.yml on top of docker-compose.yml, as ComposeStackIT passes them (without
   * name and ports): every service on the host network, with a locally built image.
   */
  @Test
  void testOverrideRunsEveryServiceOnTheHostNetworkWithLocalImages() throws Exception {
    assumeTrue(
        onPath("docker-compose"),
        "docker-compose is not installed (apt-get install docker-compose; ./run-tests does):"
            + " docker-compose.test.yml is not validated by it");
    ObjectNode compose = (ObjectNode) yaml.readTree(ROOT.resolve("docker-compose.yml").toFile());
    compose.remove("name");
    compose.get("services").forEach(service -> ((ObjectNode) service).remove("ports"));

    JsonNode merged = yaml.readTree(dockerComposeConfig(compose, "docker-compose.test.yml"));

    assertThat(merged.get("services").fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("kafka", "postgres", "connect", "bridge");
    merged
        .get("services")
        .fields()
        .forEachRemaining(
            service -> {
              assertThat(service.getValue().path("network_mode").asText())
                  .as(service.getKey())
                  .isEqualTo("host");
              assertThat(service.getValue().path("image").asText())
                  .as(service.getKey())
                  .startsWith("akb/");
            });
  }

  /** The output of {@code docker-compose config} for {@code compose} and then {@code files}. */
  private String dockerComposeConfig(ObjectNode compose, String... files) throws Exception {
    // docker-compose 1.29 reads stdin only as the sole file: the copy goes to target/.
    Path copy = Files.createDirectories(Path.of("target", "compose-config")).resolve("compose.yml");
    yaml.writeValue(copy.toFile(), compose);
    List<String> command =
        new ArrayList<>(
            List.of(
                "docker-compose",
                "--project-directory",
                ".",
                "-f",
                copy.toAbsolutePath().toString()));
    for (String file : files) {
      command.addAll(List.of("-f", file));
    }
    command.add("config");
    Process process = new ProcessBuilder(command).directory(ROOT.toFile()).start();
    process.getOutputStream().close();
    // Small outputs: read one stream after the other. Warnings go to stderr, the YAML to stdout.
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as("docker-compose config: %s%s", errors, output).isZero();
    return output;
  }

  @Test
  void shippedConnectorConfigsAreAcceptedByTheSourceConnector() throws IOException {
    JsonNode composeConnector =
        JsonMapper.builder()
            .build()
            .readTree(ROOT.resolve("deploy/connectors/source-faker.json").toFile());
    JsonNode kubernetesConnector =
        yaml.readTree(ROOT.resolve("deploy/kubernetes/source-faker-connector.yaml").toFile());

    assertThat(kubernetesConnector.get("spec").get("class").asText())
        .isEqualTo(composeConnector.get("connector.class").asText());
    Map<String, String> props = new HashMap<>();
    composeConnector.fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
    props.keySet().removeAll(CONNECT_OPTIONS);

    assertThat(AirbyteSourceConfig.CONFIG_DEF.names()).containsAll(props.keySet());
    // Parses every value with its declared type: a typo in a number or a list fails here.
    assertThat(AirbyteSourceConfig.CONFIG_DEF.parse(props))
        .containsEntry("airbyte.connector.name", "source-faker");
  }

  /** The local paths a Dockerfile's COPY instructions read (not those from another stage). */
  private static List<String> copySources(Path dockerfile) throws IOException {
    Pattern copy = Pattern.compile("^COPY\\s+(?!--from)(\\S+)\\s+\\S+\\s*$", Pattern.MULTILINE);
    Matcher matcher = copy.matcher(Files.readString(dockerfile));
    List<String> sources = new ArrayList<>();
    while (matcher.find()) {
      sources.add(matcher.group(1));
    }
    assertThat(sources).as(dockerfile + " copies something").isNotEmpty();
    return sources;
  }

  /** A build output of ./mvnw package, or a file committed in the repository. */
  private void assertBuiltOrCommitted(String source) {
    if (source.startsWith("connect-plugin/target/plugin")
        || source.startsWith("bridge-service/target/quarkus-app")
        || source.startsWith("deploy/target/kafka")) {
      return; // built by the package phase; ContainerImagesIT builds the images from them
    }
    assertThat(ROOT.resolve(source)).exists();
  }

  private static boolean onPath(String program) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }
}
