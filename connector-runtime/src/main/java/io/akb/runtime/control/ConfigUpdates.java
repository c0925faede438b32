package io.akb.runtime.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.config.ConfigValidator;
import io.akb.runtime.secret.SecretMasker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one runner keeps the config updates its connector sends, and how its runs use them: the
 * CONTROL {@code connectorConfig} message a connector sends when it refreshed an OAuth token, say.
 * Airbyte's platform saves such an update into the connection's stored config; a runner here keeps
 * it in a private file of its own ({@link ConfigUpdateStore}: directory 0700, file 0600, replaced
 * atomically) and starts its next runs with it.
 *
 * <p>A runner is one user of a connector config that outlives a run: a Java {@code Source} or
 * {@code Destination} given these updates in its {@code ConnectorOptions}, a Kafka Connect
 * connector ({@code connect-source-<name>}, {@code connect-sink-<name>}), a bridge destination
 * target ({@code bridge-<target>}). Its file is {@code <directory>/<runner>.json}.
 *
 * <p>Each run: {@link #start} gives the config to start the connector with (the given config with
 * the stored changes applied, by {@link StoredConfigUpdate}'s merge rule) and a {@link Run}, whose
 * {@link Run#accept} takes each update the connector sends: checked against the connector's spec
 * (one that does not match is logged as a warning and not stored), then merged into the file.
 * Values are never logged; the secrets of an applied or stored update are {@link
 * SecretMasker#remember remembered}, so every log line and error of the JVM masks them.
 *
 * @param directory where the runner's file lives; {@link #defaultDirectory()} unless configured
 * @param runner the runner's identity, the file's name (characters outside {@code [A-Za-z0-9._-]}
 *     are replaced and the name given a short hash, so two runners never share a file)
 */
public record ConfigUpdates(Path directory, String runner) {
  private static final Logger log = LoggerFactory.getLogger(ConfigUpdates.class);

  /** Environment variable naming the default directory. */
  public static final String DIRECTORY_ENV = "AKB_CONFIG_UPDATES_DIR";

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]+");

  /** Directories that could not be created, warned about once. */
  private static final Set<Path> UNUSABLE = ConcurrentHashMap.newKeySet();

  /** The update last announced in the log, per file. */
  private static final Map<Path, Instant> ANNOUNCED = new ConcurrentHashMap<>();

  public ConfigUpdates {
    Objects.requireNonNull(directory, "directory");
    if (runner == null || runner.isBlank()) {
      throw new IllegalArgumentException("a runner needs a name for its config updates file");
    }
  }

  /** The updates of {@code runner}, kept in {@code directory}. */
  public static ConfigUpdates in(Path directory, String runner) {
    return new ConfigUpdates(directory, runner);
  }

  /** The updates of {@code runner}, kept in {@link #defaultDirectory()}. */
  public static ConfigUpdates inDefaultDirectory(String runner) {
    return new ConfigUpdates(defaultDirectory(), runner);
  }

  /**
   * {@code $AKB_CONFIG_UPDATES_DIR}, else {@code ~/.local/state/akb/config-updates}: state that
   * must outlive the process (the XDG state directory), not a cache that may be cleared.
   */
  public static Path defaultDirectory() {
    String fromEnv = System.getenv(DIRECTORY_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    return Path.of(System.getProperty("user.home"), ".local", "state", "akb", "config-updates");
  }

  /** The runner's file. */
  public Path file() {
    return store().file(fileName(runner));
  }

  /**
   * Checks the directory (creating it, 0700, when missing), for a runner's {@code validate}: each
   * {@link #start} checks it again.
   *
   * @throws AkbException when it cannot be created or others may use it
   */
  public void checkDirectory() {
    store().checkDirectory();
  }

  /**
   * Starts a run of {@code connector}: checks the directory and applies what is stored.
   *
   * @param connector the connector's name, such as {@code source-shop}; an update stored for
   *     another connector is not applied (a warning names the file)
   * @param spec the connector's {@code connectionSpecification}, which updates must match
   * @param given the config the runner was given, secret references resolved
   * @throws AkbException when the directory is not private or no directory, or the file cannot be
   *     read (see {@link ConfigUpdateStore}); a directory that cannot be created is only a warning
   *     (nothing was stored there), and an update the connector sends then fails its run
   */
  public Run start(String connector, JsonNode spec, JsonNode given) {
    ConfigUpdateStore store = store();
    try {
      store.checkDirectory();
    } catch (AkbException cannotCreate) {
      if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
        throw cannotCreate; // it is there but not private, or no directory: never ignored
      }
      // Nothing can be stored there, so nothing is: a connector that never sends an update
      // (most do not) runs as before, and one that does fails its run with this reason.
      if (UNUSABLE.add(directory)) {
        log.warn(
            "{}: {}; a config update {} sends will fail its run until it can be kept",
            runner,
            cannotCreate.summary(),
            connector);
      }
      return new Run(connector, spec, given, given);
    }
    Path file = file();
    Optional<StoredConfigUpdate> stored = store.read(file);
    JsonNode config = given;
    if (stored.isPresent() && !stored.get().connector().equals(connector)) {
      log.warn(
          "{}: not applying the config update in {}: it was sent by {}, this runner runs {}; the"
              + " next update {} sends replaces it",
          runner,
          file,
          stored.get().connector(),
          connector,
          connector);
    } else if (stored.isPresent()) {
      StoredConfigUpdate.Applied applied = stored.get().applyTo(given);
      config = applied.config();
      rememberSecrets(spec, config, applied.applied());
      // Each command (check, discover, read) starts a run: say it once per stored update.
      boolean news =
          !stored.get().updatedAt().equals(ANNOUNCED.put(file, stored.get().updatedAt()));
      if (!applied.applied().isEmpty() && news) {
        log.info(
            "{}: {} starts with its config update of {} from {} (fields {})",
            runner,
            connector,
            stored.get().updatedAt(),
            file,
            String.join(", ", applied.applied()));
      }
      if (!applied.givenKept().isEmpty() && news) {
        log.info(
            "{}: fields {} of the given config changed after {} updated them on {}: the given"
                + " values are used",
            runner,
            String.join(", ", applied.givenKept()),
            connector,
            stored.get().updatedAt());
      }
    }
    return new Run(connector, spec, given, config);
  }

  private ConfigUpdateStore store() {
    return new ConfigUpdateStore(directory);
  }

  /** Hides the applied fields' secret values in every log line and error of this JVM. */
  private static void rememberSecrets(JsonNode spec, JsonNode config, List<String> paths) {
    SecretMasker masker = SecretMasker.forConfig(spec, config);
    for (String path : paths) {
      masker.secretsOf(config.at(path), lastName(path)).forEach(SecretMasker::remember);
    }
  }

  private static String lastName(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    return name.replace("~1", "/").replace("~0", "~");
  }

  /**
   * A safe file name for a runner: the name itself when it has only {@code [A-Za-z0-9._-]} (and
   * does not start with a dot), else those characters kept, the others {@code _}, and {@code -<8
   * hex>} of its SHA-256 added.
   */
  static String fileName(String runner) {
    if (SAFE.matcher(runner).matches() && !runner.startsWith(".")) {
      return runner;
    }
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(runner.getBytes(StandardCharsets.UTF_8));
      String kept = runner.replaceAll("[^A-Za-z0-9._-]", "_").replaceFirst("^\\.", "_");
      return (kept.length() > 100 ? kept.substring(0, 100) : kept)
          + "-"
          + HexFormat.of().formatHex(hash, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /**
   * One run of the connector: the config it starts with, and what becomes of the updates it sends.
   * Thread-safe: a destination's updates arrive on its output's reader thread.
   */
  public final class Run {
    private final String connector;
    private final JsonNode spec;
    private final JsonNode given;
    private final JsonNode startedWith;

    private Run(String connector, JsonNode spec, JsonNode given, JsonNode startedWith) {
      this.connector = connector;
      this.spec = spec;
      this.given = given.deepCopy();
      this.startedWith = startedWith.deepCopy();
    }

    /** The config to start the connector with: the given one with the stored changes applied. */
    public JsonNode config() {
      return startedWith.deepCopy();
    }

    /**
     * Takes an update the connector sent: one that does not match the spec is logged (its problems
     * masked) and not stored; else the fields it changed against the config this run started with
     * are merged into the runner's file (nothing is written when it changed none).
     *
     * @param masker the run's masker, for the problems of an update that does not match the spec
     * @return whether it was stored
     * @throws AkbException when the file cannot be read or written: the run must fail rather than
     *     drop the update silently
     */
    public boolean accept(JsonNode sent, SecretMasker masker) {
      if (sent == null || !sent.isObject()) {
        log.warn(
            "{}: {} sent a config update that is not a JSON object; not stored", runner, connector);
        return false;
      }
      List<String> problems = new ConfigValidator(connector, spec).problems(sent, masker);
      if (!problems.isEmpty()) {
        log.warn(
            "{}: {} sent a config update that does not match its spec ({}); not stored in {}, the"
                + " next run starts with the config this one had",
            runner,
            connector,
            String.join("; ", problems),
            file());
        return false;
      }
      List<String> changed = StoredConfigUpdate.changedPaths(startedWith, sent);
      if (changed.isEmpty()) {
        return false;
      }
      Instant now = Instant.now();
      store()
          .update(
              file(),
              before ->
                  Optional.of(
                      StoredConfigUpdate.merge(
                          before.orElse(null), connector, given, startedWith, sent, now)));
      rememberSecrets(spec, sent, changed);
      log.info(
          "{}: stored the config update {} sent (fields {}) in {}; its next runs start with it",
          runner,
          connector,
          String.join(", ", changed),
          file());
      return true;
    }
  }
}
