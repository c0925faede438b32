package io.akb.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.akb.connect.source.AirbyteSourceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Checks the deployment files as far as this machine can without pulling images: the compose file
 * and the Kubernetes manifests parse, the Dockerfiles copy files the build really produces, and
 * every connector config shipped there is one the source connector accepts.
 */
class DeploymentFilesTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

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
    JsonNode services = yaml.readTree(ROOT.resolve("docker-compose.yml").toFile()).get("services");

    assertThat(services.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("kafka", "postgres", "connect", "bridge");
    for (String service : List.of("connect", "bridge")) {
      Path dockerfile = ROOT.resolve(services.get(service).get("build").get("dockerfile").asText());
      assertThat(dockerfile).isRegularFile();
      assertThat(copySources(dockerfile)).allSatisfy(this::assertBuiltOrCommitted);
    }
    String mountedConfig = services.get("bridge").get("volumes").get(0).asText().split(":")[0];
    assertThat(ROOT.resolve(mountedConfig)).isRegularFile();
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
    for (JsonNode config :
        List.of(composeConnector, kubernetesConnector.get("spec").get("config"))) {
      Map<String, String> props = new HashMap<>();
      config.fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
      props.keySet().removeAll(CONNECT_OPTIONS);

      assertThat(AirbyteSourceConfig.CONFIG_DEF.names()).containsAll(props.keySet());
      // Parses every value with its declared type: a typo in a number or a list fails here.
      assertThat(AirbyteSourceConfig.CONFIG_DEF.parse(props))
          .containsEntry("airbyte.connector.name", "source-faker");
    }
  }

  @Test
  void kubernetesManifestsAreWellFormedResources() throws IOException {
    try (var files = Files.list(ROOT.resolve("deploy/kubernetes"))) {
      for (Path file : files.toList()) {
        var parser = new YAMLFactory().createParser(file.toFile());
        List<JsonNode> documents = yaml.readValues(parser, JsonNode.class).readAll();
        assertThat(documents).as(file.toString()).isNotEmpty();
        for (JsonNode resource : documents) {
          assertThat(resource.path("apiVersion").asText()).as(file + " apiVersion").isNotEmpty();
          assertThat(resource.path("kind").asText()).as(file + " kind").isNotEmpty();
          assertThat(resource.path("metadata").path("name").asText())
              .as(file + " name")
              .isNotEmpty();
        }
      }
    }
  }

  /** The local paths a Dockerfile's COPY instructions read (not those from another stage). */
  private static List<String> copySources(Path dockerfile) throws IOException {
    Pattern copy = Pattern.compile("^COPY\\s+(?!--from)(\\S+)\\s+\\S+\\s*$", Pattern.MULTILINE);
    Matcher matcher = copy.matcher(Files.readString(dockerfile));
    List<String> sources = new java.util.ArrayList<>();
    while (matcher.find()) {
      sources.add(matcher.group(1));
    }
    assertThat(sources).as(dockerfile + " copies something").isNotEmpty();
    return sources;
  }

  /** A build output named in the README, or a file committed in the repository. */
  private void assertBuiltOrCommitted(String source) {
    if (source.startsWith("connect-plugin/target/plugin")
        || source.startsWith("bridge-service/target/quarkus-app")) {
      return; // produced by ./mvnw package; the archive's own test checks its content
    }
    assertThat(ROOT.resolve(source)).exists();
  }
}
