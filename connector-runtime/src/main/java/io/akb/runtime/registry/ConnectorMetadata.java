package io.akb.runtime.registry;

/**
 * What the registry knows of one connector.
 *
 * @param name the connector's name, such as {@code source-faker}
 * @param kind source or destination
 * @param pypiPackage its PyPI package ({@code airbyte-source-faker}), or null when it has none
 * @param dockerRepository its Docker image without tag ({@code airbyte/source-faker})
 * @param version the version to install: the Docker tag, which is also the PyPI version
 * @param documentationUrl where its documentation is, or null
 * @param language {@code python}, {@code java}, {@code manifest-only}, ... or null when unknown
 */
public record ConnectorMetadata(
    String name,
    Kind kind,
    String pypiPackage,
    String dockerRepository,
    String version,
    String documentationUrl,
    String language) {

  /** Sources read, destinations write. */
  public enum Kind {
    SOURCE,
    DESTINATION
  }

  /** The Docker image with its tag, such as {@code airbyte/source-faker:7.2.1}. */
  public String dockerImage() {
    return version == null ? dockerRepository : dockerRepository + ":" + version;
  }

  /** Whether the connector is a YAML manifest run by the declarative source. */
  public boolean isManifestOnly() {
    return "manifest-only".equals(language);
  }
}
