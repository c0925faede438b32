package io.akb.bridge.cli;

import io.akb.runtime.ConnectorOptions;
import picocli.CommandLine.Option;

/**
 * How to get and run the connector: the options of PyAirbyte's {@code get_source}. With none, the
 * connector is installed from PyPI into a venv at the registry's version (see {@link
 * io.akb.runtime.Airbyte#executorFor}).
 */
final class ExecutorOptions {
  @Option(
      names = "--version",
      paramLabel = "VERSION",
      description =
          "Connector version to install from PyPI into a venv. Default: the registry's pinned"
              + " version.")
  String version;

  @Option(
      names = "--pip-url",
      paramLabel = "REQUIREMENT",
      description =
          "Install this pip requirement instead of the PyPI package (a git URL, a local wheel).")
  String pipUrl;

  @Option(
      names = "--docker-image",
      paramLabel = "IMAGE",
      description =
          "Run this Docker image, which must already be on the local engine (AKB never pulls);"
              + " 'true' means the registry's image. Network: $AKB_DOCKER_NETWORK (host or none,"
              + " default host).")
  String dockerImage;

  @Option(
      names = "--local-executable",
      paramLabel = "PROGRAM",
      description = "Run this program (a name on PATH or a path) as the connector.")
  String localExecutable;

  @Option(
      names = "--manifest",
      paramLabel = "FILE|URL|YAML",
      description = "Run this declarative YAML manifest with airbyte-source-declarative-manifest.")
  String manifest;

  /** These options over the defaults ({@code AKB_INSTALL_DIR} and timeouts come from there). */
  ConnectorOptions toConnectorOptions() {
    return ConnectorOptions.defaults()
        .withVersion(version)
        .withPipUrl(pipUrl)
        .withDockerImage(dockerImage)
        .withLocalExecutable(localExecutable)
        .withManifest(manifest);
  }
}
