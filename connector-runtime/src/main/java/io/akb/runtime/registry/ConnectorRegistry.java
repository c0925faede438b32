package io.akb.runtime.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.config.FileOrUrl;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Connector name to PyPI package, Docker image, version and docs URL, read from a registry in the
 * format of Airbyte's {@code oss_registry.json} ({@code {"sources": [...], "destinations": [...]}},
 * each entry with {@code dockerRepository}, {@code dockerImageTag}, {@code documentationUrl},
 * {@code language} and {@code remoteRegistries.pypi.packageName}), plus an optional {@code akb}
 * object per entry with what AKB knows beyond Airbyte's fields ({@code installs}, {@code
 * manifestInWheel}, {@code note}, {@code versions}; see {@link ConnectorMetadata}).
 *
 * <p>The snapshot in the jar ({@value #SNAPSHOT_RESOURCE}, made by {@code
 * connector-runtime/registry/generate-snapshot.py}) covers every {@code airbyte-source-*} and
 * {@code airbyte-destination-*} package of a PyPI listing at its newest version (or a pin that
 * installs), with the released versions of those packages whose versions were fetched, and
 * connectors Airbyte ships only as Docker images; the environment variable {@value #REGISTRY_ENV}
 * replaces it with a file or an http(s) URL. Immutable and thread-safe.
 */
public final class ConnectorRegistry {
  /** Names a registry file or URL to use instead of the snapshot. */
  public static final String REGISTRY_ENV = "AKB_REGISTRY";

  /** The registry shipped in the jar. */
  public static final String SNAPSHOT_RESOURCE = "/io/akb/runtime/registry/oss_registry.json";

  private static volatile ConnectorRegistry defaultRegistry;

  private final String origin;
  private final Map<String, ConnectorMetadata> connectors;

  private ConnectorRegistry(String origin, Map<String, ConnectorMetadata> connectors) {
    this.origin = origin;
    this.connectors = connectors;
  }

  /** The registry named by {@value #REGISTRY_ENV}, else the snapshot; loaded once. */
  public static ConnectorRegistry getDefault() {
    ConnectorRegistry registry = defaultRegistry;
    if (registry == null) {
      synchronized (ConnectorRegistry.class) {
        if (defaultRegistry == null) {
          defaultRegistry = load(System.getenv(REGISTRY_ENV));
        }
        registry = defaultRegistry;
      }
    }
    return registry;
  }

  /**
   * Loads the registry at {@code location} (a file path or http(s) URL), or the snapshot if null.
   */
  public static ConnectorRegistry load(String location) {
    if (location == null || location.isBlank()) {
      try (InputStream in = ConnectorRegistry.class.getResourceAsStream(SNAPSHOT_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(SNAPSHOT_RESOURCE + " is missing from the jar");
        }
        return parse("the registry snapshot", AirbyteJson.MAPPER.readTree(in));
      } catch (IOException e) {
        throw new AkbException("reading the registry snapshot", e.toString(), null, e);
      }
    }
    try {
      return parse(location, AirbyteJson.MAPPER.readTree(FileOrUrl.read(location)));
    } catch (IOException | RuntimeException e) {
      throw new AkbException(
          "loading the connector registry " + location,
          e.getMessage() == null ? e.toString() : e.getMessage(),
          "Point "
              + REGISTRY_ENV
              + " at a readable oss_registry.json file or URL, or unset it to"
              + " use the snapshot in the jar.",
          e);
    }
  }

  /**
   * Parses a registry in the oss_registry.json format; entries without a Docker name are skipped.
   */
  public static ConnectorRegistry parse(String origin, JsonNode registry) {
    Map<String, ConnectorMetadata> connectors = new LinkedHashMap<>();
    addAll(registry.path("sources"), ConnectorMetadata.Kind.SOURCE, connectors);
    addAll(registry.path("destinations"), ConnectorMetadata.Kind.DESTINATION, connectors);
    if (connectors.isEmpty()) {
      throw new AkbException(
          "reading the connector registry " + origin,
          "it lists no connector (expected \"sources\" and \"destinations\" arrays)",
          "Use a file in the format of Airbyte's oss_registry.json.");
    }
    return new ConnectorRegistry(origin, Map.copyOf(connectors));
  }

  private static void addAll(
      JsonNode entries, ConnectorMetadata.Kind kind, Map<String, ConnectorMetadata> connectors) {
    for (JsonNode entry : entries) {
      String repository = entry.path("dockerRepository").asText("");
      if (repository.isEmpty()) {
        continue;
      }
      String name = repository.substring(repository.lastIndexOf('/') + 1);
      JsonNode pypi = entry.path("remoteRegistries").path("pypi");
      // AKB's own facts about an entry; Airbyte's registry has no such object.
      JsonNode akb = entry.path("akb");
      String pypiPackage =
          pypi.path("enabled").asBoolean(true) && pypi.hasNonNull("packageName")
              ? pypi.get("packageName").asText()
              : null;
      connectors.put(
          name,
          new ConnectorMetadata(
              name,
              kind,
              pypiPackage,
              repository,
              entry.hasNonNull("dockerImageTag") ? entry.get("dockerImageTag").asText() : null,
              entry.hasNonNull("documentationUrl") ? entry.get("documentationUrl").asText() : null,
              entry.hasNonNull("language") ? entry.get("language").asText() : null,
              akb.path("installs").asBoolean(true),
              akb.hasNonNull("manifestInWheel") ? akb.get("manifestInWheel").asText() : null,
              akb.hasNonNull("note") ? akb.get("note").asText() : null,
              versions(akb.path("versions"))));
    }
  }

  private static List<String> versions(JsonNode versions) {
    List<String> list = new ArrayList<>();
    versions.forEach(version -> list.add(version.asText()));
    return list;
  }

  /** Where this registry was read from, for messages. */
  public String origin() {
    return origin;
  }

  public Optional<ConnectorMetadata> find(String name) {
    return Optional.ofNullable(connectors.get(name));
  }

  /**
   * The connector called {@code name}.
   *
   * @throws AkbException naming the closest known names when there is no such connector
   */
  public ConnectorMetadata get(String name) {
    return find(name)
        .orElseThrow(
            () -> {
              List<String> close = closeNames(name, 3);
              return new AkbException(
                  "looking up connector " + name,
                  "the registry (" + origin + ") has no connector named " + name,
                  close.isEmpty()
                      ? "Check the name against the registry's list (`akb connectors`, or"
                          + " Airbyte.getAvailableConnectors() in Java). A connector the registry"
                          + " does not list runs when its executor is named: a local program, a"
                          + " Docker image or a pip URL."
                      : "Did you mean " + String.join(", ", close) + "?");
            });
  }

  /** Every connector name, sorted. */
  public List<String> names() {
    return connectors.keySet().stream().sorted().toList();
  }

  /** Every connector of one kind, sorted by name. */
  public List<ConnectorMetadata> connectors(ConnectorMetadata.Kind kind) {
    return connectors.values().stream()
        .filter(c -> c.kind() == kind)
        .sorted(Comparator.comparing(ConnectorMetadata::name))
        .toList();
  }

  /** Up to {@code max} known names closest to {@code name} by edit distance, closest first. */
  public List<String> closeNames(String name, int max) {
    String wanted = name.toLowerCase(Locale.ROOT);
    int limit = Math.max(2, wanted.length() / 3);
    List<Map.Entry<String, Integer>> scored = new ArrayList<>();
    for (String known : connectors.keySet()) {
      int distance = editDistance(wanted, known);
      boolean contains = known.contains(wanted) || (wanted.length() > 3 && wanted.contains(known));
      if (distance <= limit || contains) {
        scored.add(Map.entry(known, contains ? Math.min(distance, limit) : distance));
      }
    }
    scored.sort(
        Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
    return scored.stream().limit(max).map(Map.Entry::getKey).toList();
  }

  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
