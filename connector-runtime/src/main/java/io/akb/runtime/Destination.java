package io.akb.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.config.ConfigValidator;
import io.akb.runtime.destination.ConfirmedState;
import io.akb.runtime.destination.DestinationWriter;
import io.akb.runtime.destination.LatestStates;
import io.akb.runtime.exec.ConnectorExecutor;
import io.akb.runtime.exec.ConnectorInvocation;
import io.akb.runtime.exec.ConnectorRunner;
import io.akb.runtime.protocol.AirbyteConnectionStatus;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.ConnectorSpecification;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import io.akb.runtime.secret.SecretMasker;
import io.akb.runtime.secret.SecretResolver;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * An Airbyte destination connector, PyAirbyte's {@code Destination} in Java: {@link #spec}, {@link
 * #check}, and {@link #write} from a {@link Source} or from any stream of RECORD and STATE
 * messages. Get one with {@code Airbyte.getDestination(name, config, options)}.
 *
 * <p>Incremental: the destination remembers, per source name, the states it has confirmed (echoed
 * back after persisting the records before them). A second {@link #write(Source)} starts the source
 * from those states, so it sends only what the destination has not confirmed. The memory lives as
 * long as this object; {@link #confirmedStates} and {@link #restoreConfirmedStates} let a caller
 * keep it elsewhere.
 *
 * <p>Thread-safe; each write is one destination process.
 */
public final class Destination {
  /** How long a destination may take to finish after its last input. */
  public static final Duration DEFAULT_FINISH_TIMEOUT = Duration.ofMinutes(10);

  private final String name;
  private final JsonNode config;
  private final ConnectorExecutor executor;
  private final ConnectorOptions options;
  private final SecretResolver secrets;
  private final Map<String, LatestStates> confirmedBySource = new ConcurrentHashMap<>();
  private volatile ConnectorSpecification spec;

  /**
   * A destination run by {@code executor}; {@link Airbyte#getDestination} picks the executor. The
   * config is checked against the spec here, so this installs the connector and runs its {@code
   * spec}.
   *
   * @param name the destination's name ({@code destination-duckdb}), for messages
   * @param config its config, as its spec describes; may hold {@code secret://NAME} references,
   *     resolved each time the destination runs
   * @param options timeouts and limits; the idle timeout does not apply to {@code write}, where a
   *     destination may rightly stay silent while it takes records
   * @throws AkbException naming each bad field when the config does not match the spec
   */
  public Destination(
      String name,
      JsonNode config,
      ConnectorExecutor executor,
      ConnectorOptions options,
      SecretResolver secrets) {
    this.name = name;
    this.executor = executor;
    this.options = options == null ? ConnectorOptions.defaults() : options;
    this.secrets = secrets == null ? SecretResolver.defaults() : secrets;
    if (config == null || !config.isObject()) {
      throw new AkbException(
          "setting the config of " + name,
          "a config must be a JSON object, not " + (config == null ? "null" : config.getNodeType()),
          "Pass the destination's config as a JSON object, as its spec describes.");
    }
    SecretResolver.Resolved resolved = this.secrets.resolve(config);
    new ConfigValidator(name, spec().connectionSpecification())
        .validate(resolved.config(), masker(resolved));
    this.config = config.deepCopy();
  }

  /** A destination whose config holds no secret references, with the default resolver. */
  public Destination(
      String name, JsonNode config, ConnectorExecutor executor, ConnectorOptions options) {
    this(name, config, executor, options, SecretResolver.defaults());
  }

  public String name() {
    return name;
  }

  /** What runs, for messages. */
  public String describe() {
    return executor.describe();
  }

  /** The destination's spec (run once, then kept). */
  public ConnectorSpecification spec() {
    ConnectorSpecification known = spec;
    if (known == null) {
      known =
          new ConnectorRunner(name, executor, options, SecretMasker.none(), null)
              .runForResult(ConnectorInvocation.of("spec"), AirbyteMessage.Type.SPEC)
              .spec();
      spec = known;
    }
    return known;
  }

  /**
   * Runs {@code check} with the config.
   *
   * @throws AkbException with the destination's own message when the check fails
   */
  public void check() {
    Run run = prepare(options);
    AirbyteConnectionStatus status =
        run.runner()
            .runForResult(
                new ConnectorInvocation(
                    "check", Map.of("--config", run.configJson()), List.of(), false),
                AirbyteMessage.Type.CONNECTION_STATUS)
            .connectionStatus();
    if (status == null || status.status() != AirbyteConnectionStatus.Status.SUCCEEDED) {
      throw new AkbException(
          name + " check",
          "the destination could not connect with this config: "
              + run.masker().mask(status == null ? "no status" : String.valueOf(status.message())),
          "Fix the config (credentials, host, permissions) and check again.");
    }
  }

  /**
   * Starts {@code write} with a catalog and returns the streaming writer; the caller sends records
   * and states, then calls {@link DestinationWriter#finish} or closes it.
   *
   * @param listener gets each confirmed state on the writer's reader thread; may be null
   */
  public DestinationWriter openWriter(
      ConfiguredAirbyteCatalog catalog, Consumer<ConfirmedState> listener) {
    Run run = prepare(options.withIdleTimeout(Duration.ZERO));
    MessageStream messages =
        run.runner()
            .run(
                new ConnectorInvocation(
                    "write",
                    Map.of("--config", run.configJson(), "--catalog", AirbyteJson.toJson(catalog)),
                    List.of(),
                    true));
    return new DestinationWriter(name + " write", messages, listener);
  }

  /**
   * Writes RECORD and STATE messages (others are skipped) into the destination, ends its input and
   * waits for it to finish.
   *
   * @throws AkbException when the destination fails, or exits without echoing every state
   */
  public WriteResult write(ConfiguredAirbyteCatalog catalog, Iterator<AirbyteMessage> messages) {
    return write(catalog, messages, null);
  }

  /**
   * Reads the source (all its selected streams) and writes what it reads into the destination.
   * Incremental: the source starts from the states this destination confirmed for it before, and
   * the states confirmed now become the start of the next write.
   *
   * @throws AkbException when the source or the destination fails; states the destination confirmed
   *     before the failure are kept
   */
  public WriteResult write(Source source) {
    LatestStates confirmed =
        confirmedBySource.computeIfAbsent(source.name(), sourceName -> new LatestStates());
    ConfiguredAirbyteCatalog sourceCatalog = source.configuredCatalog();
    try (MessageStream messages = source.read(sourceCatalog, confirmed.toStateArgument())) {
      return write(withDestinationSyncModes(sourceCatalog), messages, confirmed);
    }
  }

  /** The states this destination confirmed for a source: where its next write resumes. */
  public List<AirbyteStateMessage> confirmedStates(String sourceName) {
    LatestStates states = confirmedBySource.get(sourceName);
    return states == null ? List.of() : states.states();
  }

  /** Sets where the next write from a source resumes (states kept from an earlier run). */
  public void restoreConfirmedStates(String sourceName, List<AirbyteStateMessage> states) {
    LatestStates restored = new LatestStates();
    restored.applyAll(states);
    confirmedBySource.put(sourceName, restored);
  }

  private WriteResult write(
      ConfiguredAirbyteCatalog catalog, Iterator<AirbyteMessage> messages, LatestStates confirmed) {
    Consumer<ConfirmedState> keep =
        confirmed == null ? null : state -> confirmed.apply(state.state());
    try (DestinationWriter writer = openWriter(catalog, keep)) {
      while (messages.hasNext()) {
        AirbyteMessage message = messages.next();
        switch (message.type()) {
          case RECORD -> writer.write(message.record());
          case STATE -> writer.writeState(message.state());
          default -> {}
        }
      }
      return writer.finish(DEFAULT_FINISH_TIMEOUT);
    }
  }

  /**
   * The source's catalog with each stream's destination sync mode set where the caller left it
   * open: full refresh overwrites, incremental appends (deduplicating on a primary key).
   */
  static ConfiguredAirbyteCatalog withDestinationSyncModes(ConfiguredAirbyteCatalog catalog) {
    List<ConfiguredAirbyteStream> streams =
        catalog.streams().stream()
            .map(
                s ->
                    s.destinationSyncMode() != null
                        ? s
                        : new ConfiguredAirbyteStream(
                            s.stream(),
                            s.syncMode(),
                            s.cursorField(),
                            defaultSyncMode(s),
                            s.primaryKey(),
                            s.generationId(),
                            s.minimumGenerationId(),
                            s.syncId(),
                            s.unknownFields()))
            .toList();
    return new ConfiguredAirbyteCatalog(streams, catalog.unknownFields());
  }

  private static DestinationSyncMode defaultSyncMode(ConfiguredAirbyteStream stream) {
    if (stream.syncMode() != SyncMode.INCREMENTAL) {
      return DestinationSyncMode.OVERWRITE;
    }
    boolean hasKey = stream.primaryKey() != null && !stream.primaryKey().isEmpty();
    return hasKey ? DestinationSyncMode.APPEND_DEDUP : DestinationSyncMode.APPEND;
  }

  /** A run's resolved config (in clear, for the private file only) and the masker for it. */
  private record Run(String configJson, SecretMasker masker, ConnectorRunner runner) {}

  private Run prepare(ConnectorOptions runOptions) {
    SecretResolver.Resolved resolved = secrets.resolve(config);
    SecretMasker masker = masker(resolved);
    return new Run(
        resolved.config().toString(),
        masker,
        new ConnectorRunner(name, executor, runOptions, masker, null));
  }

  /** Hides the config's secrets (airbyte_secret fields and resolved references) everywhere. */
  private SecretMasker masker(SecretResolver.Resolved resolved) {
    return SecretMasker.forConfig(spec().connectionSpecification(), resolved.config())
        .with(resolved.secrets());
  }

  @Override
  public String toString() {
    return name;
  }
}
