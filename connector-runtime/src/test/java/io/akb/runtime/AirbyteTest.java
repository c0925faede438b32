package io.akb.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.runtime.testkit.FakeConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AirbyteTest {
  @Test
  void invalidJsonConfigSaysWhereAndQuotesNothing() {
    assertThatThrownBy(
            () ->
                Airbyte.parseConfig("source-faker", "{\"api_key\": sk-live-abcdef, \"count\": 1}"))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining(
            "reading the config of source-faker failed: the config is not valid JSON at line 1, column")
        .hasMessageNotContaining("sk-live")
        .hasMessageNotContaining("abcdef");
  }

  @Test
  void anEmptyConfigIsAClearError() {
    assertThatThrownBy(() -> Airbyte.parseConfig("source-faker", "  "))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("the config is empty");
  }

  @Test
  void anUnknownConnectorSuggestsCloseNames() {
    assertThatThrownBy(
            () -> Airbyte.getSource("source-fakr", (com.fasterxml.jackson.databind.JsonNode) null))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("no connector named source-fakr")
        .hasMessageContaining("Did you mean source-faker");
  }

  @Test
  void aNameThatIsNoConnectorNameIsRefused() {
    assertThatThrownBy(() -> Airbyte.executorFor("../../etc", ConnectorOptions.defaults()))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("a connector name is lower-case letters");
  }

  @Test
  void aConnectorWhosePackageDoesNotInstallFailsAtOnceWithWhatTheRegistryKnows() {
    assertThatThrownBy(
            () -> Airbyte.executorFor("destination-pgvector", ConnectorOptions.defaults()))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("knows no version of airbyte-destination-pgvector that installs")
        .hasMessageContaining("0.1.13 does not install");
  }

  @Test
  void aConnectorAirbyteShipsOnlyAsAnImageRunsFromTheRegistrysImage() {
    assertThat(Airbyte.executorFor("destination-postgres", ConnectorOptions.defaults()).describe())
        .isEqualTo("Docker image airbyte/destination-postgres:2.4.7 (network host)");
  }

  @Test
  void aDockerImageRunsThroughTheDockerExecutor() {
    var executor =
        Airbyte.executorFor(
            "source-faker",
            ConnectorOptions.defaults().withDockerImage("airbyte/source-faker:7.2.1"));
    assertThat(executor.describe())
        .isEqualTo("Docker image airbyte/source-faker:7.2.1 (network host)");
  }

  @Test
  void dockerImageTrueMeansTheRegistrysImage() {
    var executor =
        Airbyte.executorFor("source-faker", ConnectorOptions.defaults().withDockerImage("true"));
    assertThat(executor.describe()).startsWith("Docker image airbyte/source-faker:7.2.1 ");
  }

  @Test
  void theAvailableConnectorsIncludeFakerAndDestinations() {
    assertThat(Airbyte.getAvailableConnectors()).contains("source-faker");
    assertThat(
            Airbyte.getAvailableConnectors(
                io.akb.runtime.registry.ConnectorMetadata.Kind.DESTINATION))
        .allMatch(name -> name.startsWith("destination-"));
  }

  @Test
  void thePinnedFakerRunsFromAVenvUnderTheInstallDir() {
    var executor = Airbyte.executorFor("source-faker", ConnectorOptions.defaults());
    assertThat(executor.describe()).startsWith("airbyte-source-faker==7.2.1 in venv ");
    assertThat(executor.describe()).endsWith("venvs/airbyte-source-faker-7.2.1");
  }

  @Test
  void aLocalProgramGivenByARelativePathRunsFromTheCallersDirectory() throws Exception {
    // Connectors run in a private temporary directory: ./source.sh must not be looked up there.
    Path dir =
        Files.createDirectories(
            Path.of("target", "relative-program-" + ProcessHandle.current().pid()));
    FakeConnector.withSpec(dir, "source-relative", "exit 0");
    String relative = dir.resolve("source-relative").toString();
    assertThat(relative).doesNotStartWith("/");

    Source source =
        Airbyte.getSource(
            "source-relative",
            Airbyte.parseConfig("source-relative", "{\"api_key\": \"k\"}"),
            ConnectorOptions.defaults().withLocalExecutable(relative));

    assertThat(source.spec().connectionSpecification().toString()).contains("api_key");
    assertThat(Airbyte.resolvedProgram("source-on-path")).isEqualTo("source-on-path");
    assertThat(Airbyte.resolvedProgram("/opt/src")).isEqualTo("/opt/src");
  }
}
