package io.akb.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.config.ConfigValidator;
import io.akb.runtime.control.ConfigUpdates;
import io.akb.runtime.destination.CacheToDestination;
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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Airbyte destination connector, PyAirbyte's {@code Destination} in Java: {@link #spec}, {@link
 * #check}, and {@link #write} from a {@link Source}, from a {@link ReadResult} or {@link
 * ReadableCache cache} (PyAirbyte's {@code destination.write(read_result | cache)}), or from any
 * stream of RECORD and STATE messages. Get one with {@code Airbyte.getDestination(name, config,
 * options)}.
 *
 * <p>Incremental: the destination remembers the states it has confirmed (echoed back after
 * persisting the records before them), per source name for writes from a source and per {@link
 * ReadableCache#describe() cache} for writes from a cache. A second {@link #write(Source)} starts
 * the source from those states; a second {@link #write(ReadableCache)} sends each stream's records
 * after the last one confirmed (see {@link CacheToDestination}). Either way it sends only what the
 * destination has not confirmed. The memory lives as long as this object; {@link #confirmedStates}
 * and {@link #restoreConfirmedStates} let a caller keep it elsewhere.
 *
 * <p>Thread-safe; each write is one destination process.
 */
public final class Destination {
  private static final Logger log = LoggerFactory.getLogger(Destination.class);

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
   * @param name the destination's name ({@code destination-ailake}), for messages
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

  /**
   * The destination's spec, fetched once per installed connector as a source's is (see {@link
   * ConnectorSpecs}): a second {@code Destination} of the same connector does not run it again.
   */
  public ConnectorSpecification spec() {
    ConnectorSpecification known = spec;
    if (known == null) {
      known =
          ConnectorSpecs.of(
              executor,
              () ->
                  new ConnectorRunner(name, executor, options, SecretMasker.none(), null)
                      .runForResult(ConnectorInvocation.of("spec"), AirbyteMessage.Type.SPEC)
                      .spec());
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

  /**
   * Writes the streams a read put into its cache, PyAirbyte's {@code
   * destination.write(read_result)}: {@link #write(ReadableCache, List)} with the read's cache and
   * streams.
   *
   * @throws AkbException when the read went into a cache that cannot be read back in order
   */
  public WriteResult write(ReadResult readResult) {
    if (readResult.cache() == null) {
      throw new AkbException(
          "writing the read of " + readResult.sourceName() + " to " + name,
          "the read went into a cache that cannot be read back in order",
          "Read the source into a SQL cache (DuckDB or PostgreSQL), or write the source itself"
              + " with write(source).");
    }
    return write(readResult.cache(), readResult.streams());
  }

  /** Writes every stream of the cache; see {@link #write(ReadableCache, List)}. */
  public WriteResult write(ReadableCache cache) {
    return write(cache, List.of());
  }

  /**
   * Writes streams of a cache into the destination, each with the JSON schema, primary key and
   * cursor the cache keeps for it, PyAirbyte's {@code destination.write(cache)}. Incremental: only
   * records after the last one this destination confirmed from this cache are sent; a stream with
   * nothing new is left out, and when no stream has anything new the destination does not run at
   * all. See {@link CacheToDestination}.
   *
   * <p>The confirmed positions are kept in memory under {@code cache.describe()} and stored in the
   * cache under {@link #positionsKey()} after each write (also a failed one), so a new process
   * continues where the last one ended. Positions set with {@link #restoreConfirmedStates} take
   * precedence over the stored ones.
   *
   * @param streams the streams to write; every stream of the cache when empty
   * @throws AkbException naming the cache's streams when one is not in it, or when the destination
   *     fails (positions it confirmed before the failure are kept)
   */
  public WriteResult write(ReadableCache cache, List<String> streams) {
    String key = positionsKey();
    LatestStates confirmed =
        confirmedBySource.computeIfAbsent(
            cache.describe(),
            describe -> {
              LatestStates stored = new LatestStates();
              stored.applyAll(cache.destinationPositions(key));
              return stored;
            });
    try (CacheToDestination replay = new CacheToDestination(cache, streams, confirmed.states())) {
      if (replay.isEmpty()) {
        return WriteResult.nothingToWrite();
      }
      WriteResult result;
      try {
        result = write(replay.catalog(), replay, confirmed);
      } catch (RuntimeException failure) {
        try {
          cache.saveDestinationPositions(key, confirmed.states());
        } catch (RuntimeException alsoFailed) {
          failure.addSuppressed(alsoFailed);
        }
        throw failure;
      }
      cache.saveDestinationPositions(key, confirmed.states());
      return result;
    }
  }

  /**
   * What identifies this destination in a cache's stored positions: its name and a hash of its
   * config with secrets masked, so another config (another lake path, another database) is another
   * destination, while a rotated password is not.
   */
  public String positionsKey() {
    JsonNode printable =
        SecretMasker.forConfig(spec().connectionSpecification(), config).maskConfig(config);
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(AirbyteJson.toJson(printable).getBytes(StandardCharsets.UTF_8));
      return name + " " + HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /**
   * The states this destination confirmed for a source name (writes from a source) or a cache's
   * {@link ReadableCache#describe() description} (writes from a cache): where the next write
   * resumes.
   */
  public List<AirbyteStateMessage> confirmedStates(String sourceName) {
    LatestStates states = confirmedBySource.get(sourceName);
    return states == null ? List.of() : states.states();
  }

  /**
   * Sets where the next write from a source (or cache, by its description) resumes: states kept
   * from an earlier run.
   */
  public void restoreConfirmedStates(String sourceName, List<AirbyteStateMessage> states) {
    LatestStates restored = new LatestStates();
    restored.applyAll(states);
    confirmedBySource.put(sourceName, restored);
  }

  private WriteResult write(
      ConfiguredAirbyteCatalog catalog, Iterator<AirbyteMessage> messages, LatestStates confirmed) {
    StreamCounts counts = new StreamCounts();
    Consumer<ConfirmedState> keep =
        state -> {
          if (confirmed != null) {
            confirmed.apply(state.state());
          }
          counts.confirmed(state);
        };
    try (DestinationWriter writer = openWriter(catalog, keep)) {
      while (messages.hasNext()) {
        AirbyteMessage message = messages.next();
        switch (message.type()) {
          case RECORD -> {
            writer.write(message.record());
            counts.written(message.record().stream());
          }
          case STATE -> {
            counts.beforeState(writer.recordsSent());
            writer.writeState(message.state());
          }
          default -> {}
        }
      }
      WriteResult result = writer.finish(DEFAULT_FINISH_TIMEOUT);
      return result.withStreamCounts(counts.written(), counts.confirmed());
    }
  }

  /**
   * Records written per stream, and per stream how many of them a confirmed state covers: an echoed
   * state confirms every record sent before it, of every stream, so each state sent takes a
   * snapshot of the counts, found again by the number of records sent before it.
   */
  private static final class StreamCounts {
    private final Map<String, Long> written = new LinkedHashMap<>();
    private final NavigableMap<Long, Map<String, Long>> snapshots = new TreeMap<>();
    private Map<String, Long> confirmed = Map.of();

    synchronized void written(String stream) {
      written.merge(stream, 1L, Long::sum);
    }

    synchronized void beforeState(long recordsSent) {
      snapshots.put(recordsSent, Map.copyOf(written));
    }

    synchronized void confirmed(ConfirmedState state) {
      Map<String, Long> snapshot = snapshots.get(state.recordsBefore());
      if (snapshot != null) {
        confirmed = snapshot;
        snapshots.headMap(state.recordsBefore(), false).clear();
      }
    }

    synchronized Map<String, Long> written() {
      return new LinkedHashMap<>(written);
    }

    synchronized Map<String, Long> confirmed() {
      Map<String, Long> perStream = new LinkedHashMap<>();
      written.keySet().forEach(stream -> perStream.put(stream, confirmed.getOrDefault(stream, 0L)));
      return perStream;
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

  /**
   * The config this run starts with: the given one, secret references resolved, with the stored
   * config updates applied when {@link ConnectorOptions#configUpdates} is set; those the
   * destination sends during the run are stored there.
   */
  private Run prepare(ConnectorOptions runOptions) {
    SecretResolver.Resolved resolved = secrets.resolve(config);
    JsonNode specSchema = spec().connectionSpecification();
    ConfigUpdates updates = runOptions.configUpdates();
    ConfigUpdates.Run updated =
        updates == null ? null : updates.start(name, specSchema, resolved.config());
    JsonNode startWith = updated == null ? resolved.config() : updated.config();
    SecretMasker masker = SecretMasker.forConfig(specSchema, startWith).with(resolved.secrets());
    Consumer<JsonNode> onUpdate =
        updated == null
            ? newConfig ->
                log.info(
                    "{} sent an updated config (not stored: no ConnectorOptions.configUpdates)",
                    name)
            : newConfig -> updated.accept(newConfig, masker.withConfig(newConfig));
    return new Run(
        startWith.toString(),
        masker,
        new ConnectorRunner(name, executor, runOptions, masker, onUpdate));
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
