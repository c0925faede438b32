package io.akb.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.runtime.AkbException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectorRegistryTest {
  @TempDir Path dir;

  @Test
  void theSnapshotKnowsFakerWithItsPackageImageAndDocs() {
    ConnectorRegistry registry = ConnectorRegistry.load(null);
    ConnectorMetadata faker = registry.get("source-faker");

    assertThat(faker.pypiPackage()).isEqualTo("airbyte-source-faker");
    assertThat(faker.dockerImage()).isEqualTo("airbyte/source-faker:7.2.1");
    assertThat(faker.documentationUrl())
        .isEqualTo("https://docs.airbyte.com/integrations/sources/faker");
    assertThat(registry.connectors(ConnectorMetadata.Kind.SOURCE)).hasSizeGreaterThan(250);
    assertThat(registry.connectors(ConnectorMetadata.Kind.DESTINATION)).isNotEmpty();
  }

  @Test
  void theSnapshotRecordsAPackagesReleasedVersionsOldestFirst() {
    ConnectorRegistry registry = ConnectorRegistry.load(null);
    List<String> faker = registry.get("source-faker").versions();

    assertThat(faker).contains("6.2.0", "7.2.1").doesNotHaveDuplicates();
    assertThat(faker.indexOf("6.2.0")).isLessThan(faker.indexOf("7.2.1"));
    // PEP 440 order, not text order: 6.2.10 comes after 6.2.9.
    assertThat(faker.indexOf("6.2.9")).isLessThan(faker.indexOf("6.2.10"));
    assertThat(faker.get(0)).isEqualTo("4.0.0");
    assertThat(faker).endsWith("7.2.1");
    // The pinned version is one of them, as are the newer ones that do not install.
    assertThat(registry.get("source-file").versions()).contains("0.5.39", "0.6.0");
    assertThat(registry.get("destination-ailake").versions()).contains("0.1.16");
    // Docker-only connectors have no PyPI versions; tags are not recorded either.
    assertThat(registry.get("destination-postgres").versions()).isEmpty();
  }

  @Test
  void theNearestRecordedVersionsAreTheOnesOnEitherSide() {
    ConnectorMetadata faker = ConnectorRegistry.load(null).get("source-faker");

    assertThat(faker.nearestVersions("6.2.99")).containsExactly("6.2.38", "7.0.0");
    assertThat(faker.nearestVersions("9.0")).containsExactly("7.2.1");
    assertThat(faker.nearestVersions("1.0.0")).containsExactly("4.0.0");
    assertThat(faker.nearestVersions("7.2.1")).isEmpty();
    assertThat(ConnectorMetadata.compareReleases("6.2.10", "6.2.9")).isPositive();
    assertThat(ConnectorMetadata.compareReleases("7.2.0rc2", "7.2.0")).isZero();
  }

  @Test
  void aPackageWhoseNewestVersionDoesNotInstallIsPinnedToOneThatDoes() {
    // airbyte-source-file 0.6.0 requires a smart-open version that PyPI does not have.
    ConnectorMetadata file = ConnectorRegistry.load(null).get("source-file");
    assertThat(file.version()).isEqualTo("0.5.39");
    assertThat(file.runner()).isEqualTo(ConnectorMetadata.Runner.VENV);
    assertThat(file.note()).contains("newest version known to install");
  }

  @Test
  void theSnapshotHoldsEveryAirbytePackageOfThePypiListingAndTheDockerOnlyConnectors() {
    ConnectorRegistry registry = ConnectorRegistry.load(null);
    List<ConnectorMetadata> sources = registry.connectors(ConnectorMetadata.Kind.SOURCE);
    List<ConnectorMetadata> destinations = registry.connectors(ConnectorMetadata.Kind.DESTINATION);

    // The listing has 287 airbyte-source-* and 3 airbyte-destination-* packages.
    assertThat(sources.stream().filter(c -> c.pypiPackage() != null)).hasSize(287);
    assertThat(destinations.stream().filter(c -> c.pypiPackage() != null))
        .extracting(ConnectorMetadata::name)
        .containsExactly("destination-ailake", "destination-glassflow", "destination-pgvector");
    assertThat(sources.stream().filter(c -> c.pypiPackage() == null))
        .extracting(ConnectorMetadata::name)
        .containsExactly("source-mssql", "source-mysql", "source-postgres");
    assertThat(destinations).hasSize(10);
  }

  @Test
  void aConnectorAirbyteShipsOnlyAsAnImageIsNamedByItsRepositoryAndSaysNoneCanBePulled() {
    ConnectorMetadata postgres = ConnectorRegistry.load(null).get("destination-postgres");

    assertThat(postgres.pypiPackage()).isNull();
    assertThat(postgres.dockerImage()).isEqualTo("airbyte/destination-postgres:2.4.7");
    assertThat(postgres.language()).isEqualTo("java");
    assertThat(postgres.runner()).isEqualTo(ConnectorMetadata.Runner.DOCKER);
    assertThat(postgres.note())
        .contains("cannot be pulled here")
        .contains("metadata.yaml at commit");
    assertThat(ConnectorRegistry.load(null).get("destination-duckdb").note())
        .startsWith("Airbyte's destination-duckdb is Python, but PyPI has no");
  }

  @Test
  void aWheelSeenToShipAManifestNamesItAndAPackageThatDoesNotInstallIsNotRunnable() {
    ConnectorRegistry registry = ConnectorRegistry.load(null);

    ConnectorMetadata pokeapi = registry.get("source-pokeapi");
    assertThat(pokeapi.manifestInWheel()).isEqualTo("source_pokeapi/manifest.yaml");
    assertThat(pokeapi.runner()).isEqualTo(ConnectorMetadata.Runner.VENV);
    assertThat(registry.get("source-faker").manifestInWheel()).isNull();

    ConnectorMetadata pgvector = registry.get("destination-pgvector");
    assertThat(pgvector.installs()).isFalse();
    assertThat(pgvector.runner()).isEqualTo(ConnectorMetadata.Runner.NONE);
    assertThat(pgvector.note()).startsWith("0.1.13 does not install");
  }

  @Test
  void anUnknownNameSuggestsCloseNames() {
    ConnectorRegistry registry = ConnectorRegistry.load(null);

    assertThatThrownBy(() -> registry.get("source-fakr"))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("has no connector named source-fakr")
        .hasMessageContaining("Did you mean source-faker");
  }

  @Test
  void anUnknownNameWithNoCloseOneSaysHowToListAndHowToRunItAnyway() {
    ConnectorRegistry registry = ConnectorRegistry.load(null);

    assertThatThrownBy(() -> registry.get("source-zzqqxxyy-internal"))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("akb connectors")
        .hasMessageContaining("Airbyte.getAvailableConnectors() in Java")
        .hasMessageContaining("a local program, a Docker image or a pip URL");
  }

  @Test
  void aFileInTheOssRegistryFormatReplacesTheSnapshot() throws Exception {
    Path file = dir.resolve("oss_registry.json");
    Files.writeString(
        file,
        "{\"sources\":[{\"dockerRepository\":\"airbyte/source-internal\",\"dockerImageTag\":\"1.2.3\","
            + "\"language\":\"manifest-only\",\"documentationUrl\":\"https://intra/docs\"}],"
            + "\"destinations\":[{\"dockerRepository\":\"airbyte/destination-x\",\"dockerImageTag\":\"0.1.0\","
            + "\"remoteRegistries\":{\"pypi\":{\"enabled\":true,\"packageName\":\"airbyte-destination-x\"}}}]}");

    ConnectorRegistry registry = ConnectorRegistry.load(file.toString());

    assertThat(registry.names()).containsExactly("destination-x", "source-internal");
    assertThat(registry.get("source-internal").isManifestOnly()).isTrue();
    assertThat(registry.get("source-internal").runner())
        .isEqualTo(ConnectorMetadata.Runner.MANIFEST);
    assertThat(registry.get("source-internal").pypiPackage()).isNull();
    assertThat(registry.get("destination-x").pypiPackage()).isEqualTo("airbyte-destination-x");
    assertThat(registry.get("destination-x").versions()).isEmpty();
  }

  @Test
  void aRegistryCanBeServedOverHttp() throws Exception {
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    byte[] body =
        "{\"sources\":[{\"dockerRepository\":\"airbyte/source-remote\",\"dockerImageTag\":\"2.0.0\"}]}"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    server.createContext(
        "/oss_registry.json",
        exchange -> {
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      ConnectorRegistry registry =
          ConnectorRegistry.load(
              "http://127.0.0.1:" + server.getAddress().getPort() + "/oss_registry.json");
      assertThat(registry.get("source-remote").dockerImage())
          .isEqualTo("airbyte/source-remote:2.0.0");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void anUnreadableRegistryNamesTheVariable() {
    assertThatThrownBy(() -> ConnectorRegistry.load(dir.resolve("missing.json").toString()))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("AKB_REGISTRY");
  }

  @Test
  void editDistanceCountsEdits() {
    assertThat(ConnectorRegistry.editDistance("source-fakr", "source-faker")).isEqualTo(1);
    assertThat(ConnectorRegistry.editDistance("abc", "abc")).isZero();
  }
}
