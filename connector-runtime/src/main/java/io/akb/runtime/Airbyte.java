package io.akb.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.exec.ConnectorExecutor;
import io.akb.runtime.exec.DockerExecutor;
import io.akb.runtime.exec.LocalExecutor;
import io.akb.runtime.exec.ManifestExecutor;
import io.akb.runtime.exec.VenvExecutor;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.registry.ConnectorMetadata;
import io.akb.runtime.registry.ConnectorRegistry;
import io.akb.runtime.secret.SecretManager;
import io.akb.runtime.secret.SecretResolver;
import io.akb.runtime.secret.SecretSources;
import io.akb.runtime.secret.SecretString;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * The entry point of the Java API, PyAirbyte's {@code airbyte} module: {@link #getSource}, {@link
 * #getDestination}, {@link #getSecret} and the secret managers, {@link #defaultCache()} and {@link
 * #newLocalCache}, {@link #getAvailableConnectors}.
 *
 * <pre>{@code
 * Source source = Airbyte.getSource("source-faker", config, ConnectorOptions.defaults());
 * source.check();
 * source.selectStreams(List.of("users"));
 * try (MessageStream messages = source.read()) { ... }
 * }</pre>
 */
public final class Airbyte {
  /** Connector names become directory names and arguments: keep them plain. */
  private static final Pattern CONNECTOR_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

  private Airbyte() {}

  /**
   * A source, with its executor chosen as PyAirbyte's {@code get_source} does (see {@link
   * #executorFor}). The config is checked against the connector's spec, so this installs the
   * connector and runs its {@code spec} when a config is given.
   *
   * @param name the connector's name, such as {@code source-faker}
   * @param config the config (may hold {@code secret://NAME} references), or null to set it later
   * @throws AkbException for an unknown name (suggesting close names) or a config failing the spec
   */
  public static Source getSource(String name, JsonNode config, ConnectorOptions options) {
    return new Source(name, executorFor(name, options), options, SecretResolver.defaults(), config);
  }

  /**
   * A destination, with its executor chosen as for {@link #getSource} (PyAirbyte's {@code
   * get_destination}). Nothing runs until the destination is used.
   *
   * @param name the connector's name, such as {@code destination-ailake}
   * @param config the destination's config
   * @throws AkbException for an unknown name (suggesting close names)
   */
  public static Destination getDestination(String name, JsonNode config, ConnectorOptions options) {
    // A Python destination's stdout is a pipe, so block-buffered: without this its STATE echoes
    // would wait for 8 KB of output, holding back every confirmation.
    java.util.Map<String, String> environment = new java.util.HashMap<>(options.environment());
    environment.putIfAbsent("PYTHONUNBUFFERED", "1");
    ConnectorOptions unbuffered = options.withEnvironment(environment);
    return new Destination(
        name, config, executorFor(name, unbuffered), unbuffered, SecretResolver.defaults());
  }

  /**
   * A source as {@link #getSource(String, JsonNode, ConnectorOptions)}, with or without checking
   * the config against the spec, PyAirbyte's {@code get_source(..., validate=...)}.
   *
   * @param validate false skips the check (and the connector's {@code spec} run it needs): the
   *     config goes to the connector as it is; {@link Source#validateConfig()} checks it later
   */
  public static Source getSource(
      String name, JsonNode config, ConnectorOptions options, boolean validate) {
    Source source = getSource(name, (JsonNode) null, options);
    return config == null ? source : source.setConfig(config, validate);
  }

  /** {@link #getSource(String, JsonNode, ConnectorOptions)} with the default options. */
  public static Source getSource(String name, JsonNode config) {
    return getSource(name, config, ConnectorOptions.defaults());
  }

  /**
   * {@link #getSource(String, JsonNode, ConnectorOptions)} with the config as JSON text.
   *
   * @throws AkbException when the text is not JSON (the message quotes no part of it: it may hold
   *     secrets)
   */
  public static Source getSource(String name, String configJson, ConnectorOptions options) {
    return getSource(name, parseConfig(name, configJson), options);
  }

  /**
   * Parses a config given as JSON text.
   *
   * @throws AkbException with the line and column of the error, quoting none of the text
   */
  public static JsonNode parseConfig(String connectorName, String configJson) {
    try {
      JsonNode config = AirbyteJson.parse(configJson == null ? "" : configJson);
      if (config == null || config.isMissingNode()) {
        throw new AkbException(
            "reading the config of " + connectorName,
            "the config is empty",
            "Pass a JSON object such as {\"count\": 100}.");
      }
      return config;
    } catch (JsonProcessingException e) {
      String where = AirbyteJson.where(e);
      // Jackson quotes the offending token, which may be part of a secret: keep only its words.
      String problem =
          e.getOriginalMessage().replaceAll("'[^']*'", "a token").replaceAll("\\(.*", "");
      throw new AkbException(
          "reading the config of " + connectorName,
          "the config is not valid JSON" + where + ": " + problem.strip(),
          "Pass a JSON object such as {\"count\": 100}; quote keys and strings with double quotes.",
          null);
    }
  }

  /**
   * The executor for connector {@code name}, first match wins: {@code localExecutable}; {@code
   * dockerImage}; {@code manifest}; {@code pipUrl} or {@code version} (a venv); then from the
   * registry: a manifest-only connector needs a {@code manifest}, a connector with a PyPI package
   * gets a venv at the registry's version; else a program of that name on PATH; else the registry's
   * Docker image.
   *
   * @throws AkbException for an unknown name, suggesting close names
   */
  public static ConnectorExecutor executorFor(String name, ConnectorOptions options) {
    if (name == null || !CONNECTOR_NAME.matcher(name).matches()) {
      throw new AkbException(
          "getting connector " + name,
          "a connector name is lower-case letters, digits, dots, dashes and underscores",
          "Use a name such as source-faker.");
    }
    if (options.localExecutable() != null) {
      return new LocalExecutor(
          List.of(resolvedProgram(options.localExecutable())),
          options.environment(),
          options.logTailLines());
    }
    ConnectorRegistry registry = ConnectorRegistry.getDefault();
    Optional<ConnectorMetadata> metadata = registry.find(name);
    if (options.dockerImage() != null) {
      String image =
          "true".equalsIgnoreCase(options.dockerImage())
              ? registry.get(name).dockerImage()
              : options.dockerImage();
      return dockerExecutor(image, options);
    }
    if (options.manifest() != null) {
      return new ManifestExecutor(name, options.manifest(), options);
    }
    String pypiPackage = metadata.map(ConnectorMetadata::pypiPackage).orElse("airbyte-" + name);
    if (options.pipUrl() != null || options.version() != null) {
      return venv(name, pypiPackage, options.version(), options);
    }
    if (metadata.isPresent()) {
      ConnectorMetadata known = metadata.get();
      if (known.isManifestOnly()) {
        throw new AkbException(
            "getting connector " + name,
            "it is a manifest-only connector and AKB cannot download manifests",
            "Pass its manifest.yaml with the manifest option.");
      }
      if (known.runner() == ConnectorMetadata.Runner.NONE) {
        // Fail before a long install that is known to fail, with what is known about it.
        throw new AkbException(
            "getting connector " + name,
            "the registry knows no version of "
                + known.pypiPackage()
                + " that installs"
                + (known.note() == null ? "" : ": " + known.note()),
            "Give a version or a pip requirement that installs (the version or pip URL option),"
                + " or a Docker image or local program.");
      }
      if (known.pypiPackage() != null) {
        return venv(name, known.pypiPackage(), known.version(), options);
      }
    }
    if (LocalExecutor.findOnPath(name).isPresent()) {
      return new LocalExecutor(List.of(name), options.environment(), options.logTailLines());
    }
    return dockerExecutor(registry.get(name).dockerImage(), options);
  }

  private static VenvExecutor venv(
      String name, String pypiPackage, String version, ConnectorOptions options) {
    return new VenvExecutor(
        pypiPackage,
        version,
        options.pipUrl(),
        name,
        options.installDir(),
        options.python(),
        options.installTimeout(),
        options.environment(),
        options.logTailLines());
  }

  /** The Docker executor: the image must be on the local engine, it is never pulled. */
  static ConnectorExecutor dockerExecutor(String image, ConnectorOptions options) {
    return new DockerExecutor(image, options);
  }

  /**
   * A secret, PyAirbyte's {@code get_secret}: from the first of the {@link SecretSources} that has
   * it (by default the environment, {@code ./.env}, then a console prompt when a console is
   * attached). The answer prints as {@code ****}; {@link SecretString#value()} gives the value, and
   * every AKB log line and error hides it from then on.
   *
   * @throws AkbException naming the places searched when none has it
   */
  public static SecretString getSecret(String name) {
    return SecretResolver.defaults().get(name);
  }

  /**
   * Asks {@code manager} for secrets before every other one, PyAirbyte's {@code
   * register_secret_manager(manager)}; also for {@code secret://NAME} references in configs.
   */
  public static void registerSecretManager(SecretManager manager) {
    SecretSources.register(manager);
  }

  /**
   * Registers a secret manager, PyAirbyte's {@code register_secret_manager(manager, as_backup=...,
   * replace_existing=...)}.
   *
   * @param asBackup ask it after the others (false: before them)
   * @param replaceExisting drop every other manager, the defaults too
   */
  public static void registerSecretManager(
      SecretManager manager, boolean asBackup, boolean replaceExisting) {
    SecretSources.register(manager, asBackup, replaceExisting);
  }

  /**
   * Stops asking the secret managers named {@code name} ({@code "env"}, {@code "dotenv"}, {@code
   * "prompt"}, or a custom one's name), PyAirbyte's {@code disable_secret_source}.
   *
   * @return whether one was registered
   */
  public static boolean disableSecretSource(String name) {
    return SecretSources.disable(name);
  }

  /**
   * The default local cache, PyAirbyte's {@code get_default_cache()}: the DuckDB file {@code
   * ./.cache/default_cache.duckdb} (the {@code akb} command's default), opened and created when
   * missing. Needs {@code sql-cache} on the class path; the cache is its {@code
   * io.akb.cache.SqlCache}, so assign it to one to open datasets by name and to close it ({@code
   * try (SqlCache cache = Airbyte.defaultCache()) {...}}): DuckDB lets one process have the file.
   *
   * @throws AkbException when no {@code sql-cache} is on the class path, or the file cannot be
   *     opened (another process has it)
   */
  @SuppressWarnings("unchecked")
  public static <C extends Cache> C defaultCache() {
    return (C) localCaches().defaultCache();
  }

  /**
   * A new local cache, PyAirbyte's {@code new_local_cache(cache_name)}: the DuckDB file {@code
   * ./.cache/<name>/db_<name>.duckdb}, opened and created when missing; as {@link #defaultCache()}
   * otherwise.
   *
   * @param name letters, digits and underscores; null for a new random name
   * @throws AkbException for a name with other characters
   */
  public static <C extends Cache> C newLocalCache(String name) {
    return newLocalCache(name, null);
  }

  /**
   * {@link #newLocalCache(String)} in {@code cacheDir} instead of {@code ./.cache/<name>},
   * PyAirbyte's {@code new_local_cache(cache_name, cache_dir)}.
   */
  @SuppressWarnings("unchecked")
  public static <C extends Cache> C newLocalCache(String name, java.nio.file.Path cacheDir) {
    return (C) localCaches().newLocalCache(name, cacheDir);
  }

  private static LocalCacheProvider localCaches() {
    return ServiceLoader.load(LocalCacheProvider.class, Airbyte.class.getClassLoader())
        .findFirst()
        .orElseThrow(
            () ->
                new AkbException(
                    "opening a local cache",
                    "no cache implementation is on the class path",
                    "Add the io.akb:sql-cache module (DuckDB and PostgreSQL caches) to the"
                        + " dependencies."));
  }

  /** The names of every known connector, sources and destinations, sorted. */
  public static List<String> getAvailableConnectors() {
    return ConnectorRegistry.getDefault().names();
  }

  /** The names of every known connector of one kind, sorted. */
  public static List<String> getAvailableConnectors(ConnectorMetadata.Kind kind) {
    return ConnectorRegistry.getDefault().connectors(kind).stream()
        .map(ConnectorMetadata::name)
        .toList();
  }

  /**
   * A local program as the caller named it: a relative path ({@code ./source.sh}, {@code bin/src})
   * is taken from the current directory, since connectors run in a private temporary directory; a
   * bare name is looked up on the PATH.
   */
  static String resolvedProgram(String program) {
    if (program.indexOf('/') < 0 || program.startsWith("/")) {
      return program;
    }
    return java.nio.file.Path.of(program).toAbsolutePath().normalize().toString();
  }
}
