package io.akb.runtime.registry;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
 * @param installs false when its package is known not to install (the entry's {@code
 *     akb.installs}); true otherwise, also when nobody tried
 * @param manifestInWheel the path of the declarative manifest its wheel was seen to ship ({@code
 *     source_pokeapi/manifest.yaml}), or null when none was seen or nobody looked
 * @param note what the registry says about the entry beyond Airbyte's fields (a pin, why it does
 *     not install, where a fact came from), or null
 * @param versions the package's released versions the registry records (the entry's {@code
 *     akb.versions}), oldest first, yanked ones left out; empty when it records none. PyPI may have
 *     released newer ones since the registry was made.
 */
public record ConnectorMetadata(
    String name,
    Kind kind,
    String pypiPackage,
    String dockerRepository,
    String version,
    String documentationUrl,
    String language,
    boolean installs,
    String manifestInWheel,
    String note,
    List<String> versions) {

  /** A version's leading release numbers: {@code 6.2.0} of {@code 6.2.0rc1.dev2024}. */
  private static final Pattern RELEASE = Pattern.compile("^v?(\\d+(?:\\.\\d+)*)");

  private static final Pattern FINAL_RELEASE = Pattern.compile("\\d+(\\.\\d+)*");

  public ConnectorMetadata {
    versions = List.copyOf(versions);
  }

  /** Sources read, destinations write. */
  public enum Kind {
    SOURCE,
    DESTINATION
  }

  /**
   * How AKB runs the connector when no executor option is given, as {@code Airbyte.getSource}
   * chooses from the registry.
   */
  public enum Runner {
    /** Its PyPI package at the registry's version, in a venv AKB makes. */
    VENV("venv from PyPI"),
    /** Its Docker image, which must be on the local engine: AKB never pulls. */
    DOCKER("Docker image (needs a local image)"),
    /** A declarative manifest, which has to be given: the registry ships none. */
    MANIFEST("manifest (pass --manifest)"),
    /** No way known: its package does not install and it has no image. */
    NONE("not runnable");

    private final String description;

    Runner(String description) {
      this.description = description;
    }

    /** A few words for a listing: {@code venv from PyPI}. */
    public String description() {
      return description;
    }
  }

  /** The Docker image with its tag, such as {@code airbyte/source-faker:7.2.1}. */
  public String dockerImage() {
    return version == null ? dockerRepository : dockerRepository + ":" + version;
  }

  /**
   * The recorded versions on either side of {@code version}, for a message about a version that did
   * not install: the newest one before it and the oldest one after it by their release numbers
   * ({@code 6.2.99} gives {@code [6.2.38, 7.0.0]}); empty when {@code version} is recorded or none
   * are. Pre-releases count as their release.
   */
  public List<String> nearestVersions(String version) {
    if (versions.isEmpty() || versions.contains(version)) {
      return List.of();
    }
    String below = null;
    String above = null;
    for (String known : versions) {
      if (!FINAL_RELEASE.matcher(known).matches()) {
        continue; // a pre-release or dev build is rarely the one to suggest
      }
      int order = compareReleases(known, version);
      if (order < 0) {
        below = known;
      } else if (order > 0 && above == null) {
        above = known;
      }
    }
    return Stream.of(below, above).filter(Objects::nonNull).toList();
  }

  /** Compares the leading release numbers ({@code 6.2.10} after {@code 6.2.9}); 0 when equal. */
  static int compareReleases(String a, String b) {
    long[] left = releaseNumbers(a);
    long[] right = releaseNumbers(b);
    for (int i = 0; i < Math.max(left.length, right.length); i++) {
      int order = Long.compare(i < left.length ? left[i] : 0, i < right.length ? right[i] : 0);
      if (order != 0) {
        return order;
      }
    }
    return 0;
  }

  private static long[] releaseNumbers(String version) {
    Matcher release = RELEASE.matcher(version);
    if (!release.find()) {
      return new long[0];
    }
    return Arrays.stream(release.group(1).split("\\.")).mapToLong(Long::parseLong).toArray();
  }

  /** Whether the connector is a YAML manifest run by the declarative source. */
  public boolean isManifestOnly() {
    return "manifest-only".equals(language);
  }

  /** How AKB runs it by default; see {@link Runner}. */
  public Runner runner() {
    if (isManifestOnly()) {
      return Runner.MANIFEST;
    }
    if (pypiPackage != null) {
      return installs ? Runner.VENV : Runner.NONE;
    }
    return Runner.DOCKER;
  }
}
