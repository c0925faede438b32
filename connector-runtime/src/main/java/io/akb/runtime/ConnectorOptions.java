package io.akb.runtime;

import io.akb.runtime.control.ConfigUpdates;
import io.akb.runtime.exec.LogTail;
import io.akb.runtime.protocol.AirbyteMessageReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How to get and run a connector, PyAirbyte's {@code get_source} keyword arguments in Java. At most
 * one of {@link #localExecutable}, {@link #dockerImage}, {@link #manifest} and {@link #pipUrl} is
 * normally set; when none is, {@link Airbyte#getSource} picks the executor as PyAirbyte does (see
 * there). Immutable: the {@code withX} methods return a copy.
 *
 * @param version PyPI package version (or Docker tag) to install; null: the registry's pinned
 *     version, else the latest. Default null.
 * @param pipUrl a pip requirement to install instead of {@code <package>==<version>}, such as a git
 *     URL or a local wheel (PyAirbyte's {@code pip_url}). Default null.
 * @param dockerImage run this Docker image ({@code airbyte/source-faker:6.2.10}); {@code "true"}
 *     means the registry's image for the connector. Default null.
 * @param localExecutable run this program (a name on PATH or a path). Default null.
 * @param manifest a declarative YAML manifest (a file path, an http(s) URL or the YAML text) run by
 *     {@code airbyte-source-declarative-manifest}. Default null.
 * @param installDir where venvs live; default {@code $AKB_INSTALL_DIR}, else {@code ~/.cache/akb}.
 * @param python the Python interpreter that creates venvs; default {@code python3}.
 * @param idleTimeout a running connector that prints nothing for this long is killed and the run
 *     fails; {@link Duration#ZERO} waits forever. Default 10 minutes. A destination's {@code write}
 *     prints nothing while it waits for input: give it {@link Duration#ZERO} when its input may
 *     pause for long.
 * @param installTimeout how long a venv install may take. Default 15 minutes.
 * @param maxLineBytes the largest protocol line accepted; default {@value
 *     AirbyteMessageReader#DEFAULT_MAX_LINE_BYTES} bytes.
 * @param logTailLines connector log lines kept for error messages; default {@value
 *     LogTail#DEFAULT_LINES}.
 * @param environment variables added to the connector's environment. Default none.
 * @param configUpdates where the config updates the connector sends (CONTROL messages: a refreshed
 *     OAuth token) are stored, so that every later run starts with them; see {@link ConfigUpdates}.
 *     Default null: they are not stored, only passed to {@code Source.onConfigUpdate}.
 */
public record ConnectorOptions(
    String version,
    String pipUrl,
    String dockerImage,
    String localExecutable,
    String manifest,
    Path installDir,
    String python,
    Duration idleTimeout,
    Duration installTimeout,
    int maxLineBytes,
    int logTailLines,
    Map<String, String> environment,
    ConfigUpdates configUpdates) {

  /** Environment variable naming the install dir. */
  public static final String INSTALL_DIR_ENV = "AKB_INSTALL_DIR";

  public ConnectorOptions {
    installDir = installDir == null ? defaultInstallDir() : installDir;
    python = python == null || python.isBlank() ? "python3" : python;
    idleTimeout = idleTimeout == null ? Duration.ofMinutes(10) : idleTimeout;
    installTimeout = installTimeout == null ? Duration.ofMinutes(15) : installTimeout;
    maxLineBytes = maxLineBytes <= 0 ? AirbyteMessageReader.DEFAULT_MAX_LINE_BYTES : maxLineBytes;
    logTailLines = logTailLines <= 0 ? LogTail.DEFAULT_LINES : logTailLines;
    environment = environment == null ? Map.of() : Map.copyOf(environment);
  }

  /** All defaults: the executor is chosen from the registry and the machine. */
  public static ConnectorOptions defaults() {
    return new ConnectorOptions(
        null, null, null, null, null, null, null, null, null, 0, 0, null, null);
  }

  /** {@code $AKB_INSTALL_DIR}, else {@code ~/.cache/akb}. */
  public static Path defaultInstallDir() {
    String fromEnv = System.getenv(INSTALL_DIR_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "akb");
  }

  public ConnectorOptions withVersion(String version) {
    return with(copy -> copy.version = version);
  }

  public ConnectorOptions withPipUrl(String pipUrl) {
    return with(copy -> copy.pipUrl = pipUrl);
  }

  public ConnectorOptions withDockerImage(String dockerImage) {
    return with(copy -> copy.dockerImage = dockerImage);
  }

  public ConnectorOptions withLocalExecutable(String localExecutable) {
    return with(copy -> copy.localExecutable = localExecutable);
  }

  public ConnectorOptions withManifest(String manifest) {
    return with(copy -> copy.manifest = manifest);
  }

  public ConnectorOptions withInstallDir(Path installDir) {
    return with(copy -> copy.installDir = installDir);
  }

  public ConnectorOptions withPython(String python) {
    return with(copy -> copy.python = python);
  }

  public ConnectorOptions withIdleTimeout(Duration idleTimeout) {
    return with(copy -> copy.idleTimeout = idleTimeout);
  }

  public ConnectorOptions withInstallTimeout(Duration installTimeout) {
    return with(copy -> copy.installTimeout = installTimeout);
  }

  public ConnectorOptions withMaxLineBytes(int maxLineBytes) {
    return with(copy -> copy.maxLineBytes = maxLineBytes);
  }

  public ConnectorOptions withLogTailLines(int logTailLines) {
    return with(copy -> copy.logTailLines = logTailLines);
  }

  public ConnectorOptions withEnvironment(Map<String, String> environment) {
    return with(copy -> copy.environment = environment);
  }

  /** Stores the connector's config updates there (null: does not). */
  public ConnectorOptions withConfigUpdates(ConfigUpdates configUpdates) {
    return with(copy -> copy.configUpdates = configUpdates);
  }

  /**
   * A copy with one option changed: the one place that copies the options (through the canonical
   * constructor, so defaults apply).
   */
  private ConnectorOptions with(Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.build();
  }

  /** The options as mutable fields, for {@link #with}. */
  private static final class Copy {
    String version;
    String pipUrl;
    String dockerImage;
    String localExecutable;
    String manifest;
    Path installDir;
    String python;
    Duration idleTimeout;
    Duration installTimeout;
    int maxLineBytes;
    int logTailLines;
    Map<String, String> environment;
    ConfigUpdates configUpdates;

    Copy(ConnectorOptions from) {
      version = from.version;
      pipUrl = from.pipUrl;
      dockerImage = from.dockerImage;
      localExecutable = from.localExecutable;
      manifest = from.manifest;
      installDir = from.installDir;
      python = from.python;
      idleTimeout = from.idleTimeout;
      installTimeout = from.installTimeout;
      maxLineBytes = from.maxLineBytes;
      logTailLines = from.logTailLines;
      environment = from.environment;
      configUpdates = from.configUpdates;
    }

    ConnectorOptions build() {
      return new ConnectorOptions(
          version,
          pipUrl,
          dockerImage,
          localExecutable,
          manifest,
          installDir,
          python,
          idleTimeout,
          installTimeout,
          maxLineBytes,
          logTailLines,
          environment,
          configUpdates);
    }
  }
}
