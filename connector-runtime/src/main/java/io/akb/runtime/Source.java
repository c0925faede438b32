package io.akb.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.akb.runtime.config.ConfigValidator;
import io.akb.runtime.control.ConfigUpdates;
import io.akb.runtime.exec.ConnectorExecutor;
import io.akb.runtime.exec.ConnectorInvocation;
import io.akb.runtime.exec.ConnectorRunner;
import io.akb.runtime.protocol.AirbyteCatalog;
import io.akb.runtime.protocol.AirbyteConnectionStatus;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteStream;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.ConnectorSpecification;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import io.akb.runtime.secret.SecretMasker;
import io.akb.runtime.secret.SecretResolver;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Airbyte source, PyAirbyte's {@code Source} in Java: its spec, config, catalog, stream
 * selection and reads. Get one with {@link Airbyte#getSource}.
 *
 * <p>The spec and discovered catalog are fetched once and kept. The config may hold {@code
 * secret://NAME} references, resolved each time the connector runs; {@link #printableConfig()}
 * masks secrets. Each read starts its own connector process: close the {@link MessageStream} (or
 * the {@link Stream} of {@link #getRecords}) to stop it early. Not thread-safe for configuration;
 * reads may run concurrently once configured.
 */
public final class Source {
  private static final Logger log = LoggerFactory.getLogger(Source.class);

  /** How long a discovered catalog or a successful check is reused by every source of the JVM. */
  static final Duration ANSWER_LIFETIME = Duration.ofMinutes(1);

  private static final RecentAnswers<AirbyteCatalog> CATALOGS =
      new RecentAnswers<>(ANSWER_LIFETIME);
  private static final RecentAnswers<AirbyteConnectionStatus> CHECKS =
      new RecentAnswers<>(ANSWER_LIFETIME);

  /** The stream selector meaning every stream, as PyAirbyte's {@code streams="*"}. */
  public static final String ALL_STREAMS = "*";

  /** Records per stream of {@link #getSamples()} and {@link #printSamples(PrintStream)}. */
  public static final int DEFAULT_SAMPLE_LIMIT = 5;

  /** What {@link #getSamples} does when a stream's read fails, PyAirbyte's {@code on_error}. */
  public enum OnError {
    /** Throw the failure. */
    RAISE,
    /** Map the stream to null and go on. */
    IGNORE,
    /** Log a warning naming the stream and the failure, map the stream to null and go on. */
    LOG;

    /**
     * Parses PyAirbyte's spelling: {@code raise}, {@code ignore}, {@code log} (any case).
     *
     * @throws AkbException naming the three values for anything else
     */
    public static OnError fromString(String value) {
      for (OnError onError : values()) {
        if (onError.name().equalsIgnoreCase(value == null ? "" : value.strip())) {
          return onError;
        }
      }
      throw new AkbException(
          "reading on_error",
          "'" + value + "' is not one of raise, ignore, log",
          "Use raise (the default of getSamples), ignore or log (the default of printSamples).");
    }
  }

  private final String name;
  private final ConnectorExecutor executor;
  private final ConnectorOptions options;
  private final SecretResolver secrets;
  private JsonNode config;
  private volatile ConnectorSpecification spec;
  private volatile AirbyteCatalog discovered;
  private List<String> selectedStreams = List.of();
  private final Map<String, List<String>> cursorOverrides = new ConcurrentHashMap<>();
  private final Map<String, List<List<String>>> primaryKeyOverrides = new ConcurrentHashMap<>();
  private final Map<String, JsonNode> schemaOverrides = new ConcurrentHashMap<>();
  private volatile Consumer<JsonNode> onConfigUpdate;

  /**
   * A source run by {@code executor}; {@link Airbyte#getSource} picks the executor. The config is
   * validated against the spec when given (null: set it later with {@link #setConfig}).
   */
  public Source(
      String name,
      ConnectorExecutor executor,
      ConnectorOptions options,
      SecretResolver secrets,
      JsonNode config) {
    this.name = name;
    this.executor = executor;
    this.options = options;
    this.secrets = secrets;
    if (config != null) {
      setConfig(config);
    }
  }

  /** The connector's name, such as {@code source-faker}. */
  public String name() {
    return name;
  }

  /** How the connector runs, for messages. */
  public ConnectorExecutor executor() {
    return executor;
  }

  /** Makes the connector runnable now (installs its venv) instead of on first use. */
  public Source install() {
    executor.install();
    return this;
  }

  /**
   * The connector's spec, fetched once per installed connector (see {@link ConnectorSpecs}): kept
   * by the JVM and by the executor's spec file, so later runs do not start the connector for it.
   */
  public ConnectorSpecification spec() {
    ConnectorSpecification known = spec;
    if (known == null) {
      known =
          ConnectorSpecs.of(
              executor,
              () ->
                  runner(SecretMasker.none())
                      .runForResult(ConnectorInvocation.of("spec"), AirbyteMessage.Type.SPEC)
                      .spec());
      spec = known;
    }
    return known;
  }

  /** The JSON schema configs must match: the spec's {@code connectionSpecification}. */
  public JsonNode configSpec() {
    return spec().connectionSpecification();
  }

  /**
   * Sets the config after checking it against the spec's JSON schema ({@code secret://} references
   * are checked as the strings they are only where the schema allows a string): {@code
   * setConfig(config, true)}.
   *
   * @throws AkbException naming each bad field when the config does not match the spec
   */
  public Source setConfig(JsonNode config) {
    return setConfig(config, true);
  }

  /**
   * Sets the config, PyAirbyte's {@code set_config(config, validate=...)}.
   *
   * @param validate check it against the spec now (which fetches the spec and resolves {@code
   *     secret://} references); false sends the config to the connector as it is, for a config the
   *     spec's JSON schema wrongly rejects (PyAirbyte's {@code skip_validation}); {@link
   *     #validateConfig()} checks it later
   * @throws AkbException for a config that is not a JSON object, or, when validating, naming each
   *     bad field
   */
  public Source setConfig(JsonNode config, boolean validate) {
    if (config == null || !config.isObject()) {
      throw new AkbException(
          "setting the config of " + name,
          "a config must be a JSON object, not " + (config == null ? "null" : config.getNodeType()),
          "Pass a JSON object such as {\"count\": 100}.");
    }
    if (validate) {
      validate(config);
    }
    this.config = config.deepCopy();
    this.discovered = null;
    return this;
  }

  /**
   * Checks the config set against the spec's JSON schema, PyAirbyte's {@code validate_config()}:
   * for a config set with {@code setConfig(config, false)}.
   *
   * @throws AkbException naming each bad field when the config does not match the spec
   */
  public void validateConfig() {
    requireConfig();
    validate(config);
  }

  private void validate(JsonNode config) {
    SecretResolver.Resolved resolved = secrets.resolve(config);
    new ConfigValidator(name, configSpec()).validate(resolved.config(), masker(resolved));
  }

  /** The config as given (secret references unresolved, secrets in clear): keep it private. */
  public JsonNode config() {
    requireConfig();
    return config.deepCopy();
  }

  /** The config with every secret masked: what may be printed or logged. */
  public JsonNode printableConfig() {
    requireConfig();
    // Not resolved: printing must not prompt for secrets, and references are not secret.
    return SecretMasker.forConfig(configSpec(), config).maskConfig(config);
  }

  /**
   * Receives the new config of every CONTROL connector-config message (a connector that refreshed
   * an OAuth token, say), PyAirbyte's behaviour: this source keeps its own config. To have the next
   * runs start with the update, give the source {@link ConnectorOptions#withConfigUpdates}; the
   * listener is called either way.
   */
  public Source onConfigUpdate(Consumer<JsonNode> listener) {
    this.onConfigUpdate = listener;
    return this;
  }

  /**
   * Runs {@code check} and returns the connector's answer without throwing for a failed check: a
   * connector that crashes on the config (exit code, TRACE ERROR) is reported as FAILED with the
   * reason, for callers that show the answer field by field (Connect's validate).
   */
  public AirbyteConnectionStatus checkStatus() {
    try {
      return runCheck(prepare());
    } catch (AkbException e) {
      return new AirbyteConnectionStatus(AirbyteConnectionStatus.Status.FAILED, e.why(), null);
    }
  }

  private AirbyteConnectionStatus runCheck(ConnectorRun run) {
    return CHECKS.get(
        executor.describe(),
        run.configJson,
        () -> withConfig(run, "check", AirbyteMessage.Type.CONNECTION_STATUS).connectionStatus(),
        status -> status.status() == AirbyteConnectionStatus.Status.SUCCEEDED);
  }

  /** Runs {@code command --config ...} and returns its one answer of type {@code answer}. */
  private static AirbyteMessage withConfig(
      ConnectorRun run, String command, AirbyteMessage.Type answer) {
    return run.runner.runForResult(
        new ConnectorInvocation(command, Map.of("--config", run.configJson), List.of(), false),
        answer);
  }

  /**
   * Runs {@code check}.
   *
   * @throws AkbException with the connector's message (and its last log lines when it crashed) when
   *     the check fails
   */
  public void check() {
    ConnectorRun run = prepare();
    AirbyteConnectionStatus status = runCheck(run);
    if (status.status() != AirbyteConnectionStatus.Status.SUCCEEDED) {
      throw new AkbException(
          name + " check",
          "the connector could not connect with this config: "
              + run.masker.mask(String.valueOf(status.message())),
          "Fix the config (credentials, host, permissions) and check again.");
    }
  }

  /**
   * The streams the source offers, discovered once per config (another source of the JVM with the
   * same connector and config reuses a catalog discovered within the last minute).
   */
  public AirbyteCatalog discoveredCatalog() {
    AirbyteCatalog known = discovered;
    if (known == null) {
      ConnectorRun run = prepare();
      known =
          CATALOGS.get(
              executor.describe(),
              run.configJson,
              () -> withConfig(run, "discover", AirbyteMessage.Type.CATALOG).catalog(),
              catalog -> true);
      discovered = known;
    }
    return known;
  }

  /** The names of the streams the source offers. */
  public List<String> availableStreams() {
    return discoveredCatalog().streams().stream().map(AirbyteStream::name).toList();
  }

  /** Selects every stream the source offers: {@code selectStreams("*")}. */
  public Source selectAllStreams() {
    selectedStreams = availableStreams();
    return this;
  }

  /**
   * Selects these streams for {@link #read()} and {@link #configuredCatalog()}, PyAirbyte's {@code
   * select_streams}: {@code selectStreams("users", "purchases")}, or {@code selectStreams("*")} for
   * every stream ({@link #ALL_STREAMS}).
   *
   * @throws AkbException naming the unknown streams and the available ones
   */
  public Source selectStreams(String... streams) {
    return selectStreams(List.of(streams));
  }

  /**
   * Selects these streams for {@link #read()} and {@link #configuredCatalog()}; a list holding
   * {@link #ALL_STREAMS} ({@code "*"}) selects every stream.
   *
   * @throws AkbException naming the unknown streams and the available ones
   */
  public Source selectStreams(List<String> streams) {
    selectedStreams = streamsOf(streams);
    return this;
  }

  /**
   * {@code streams} checked against the discovered ones: every stream for null or {@code ["*"]}.
   *
   * @throws AkbException naming the unknown streams and the available ones
   */
  private List<String> streamsOf(List<String> streams) {
    List<String> available = availableStreams();
    if (streams == null || streams.contains(ALL_STREAMS)) {
      return available;
    }
    List<String> unknown = streams.stream().filter(s -> !available.contains(s)).toList();
    if (!unknown.isEmpty()) {
      throw new AkbException(
          "selecting streams of " + name,
          "the source has no stream named " + String.join(", ", unknown),
          "Available streams: " + String.join(", ", available) + ", or \"*\" for all.");
    }
    return List.copyOf(streams);
  }

  /** The selected streams; every stream when none was selected. */
  public List<String> selectedStreams() {
    return selectedStreams.isEmpty() ? availableStreams() : selectedStreams;
  }

  /**
   * Reads {@code stream} with this cursor field instead of the source's default, PyAirbyte's {@code
   * set_cursor_key}. Earlier overrides of other streams stay.
   *
   * @throws AkbException naming the available streams when the source has no such stream
   */
  public Source setCursorKey(String stream, String cursorField) {
    return setCursorKeys(Map.of(stream, cursorField));
  }

  /**
   * Cursor fields per stream, PyAirbyte's {@code set_cursor_keys(stream1="cursor1", ...)}: each
   * replaces the stream's default cursor; streams not named keep theirs (and earlier overrides).
   *
   * @throws AkbException naming the available streams when one stream is unknown (then no override
   *     is set)
   */
  public Source setCursorKeys(Map<String, String> cursorFields) {
    cursorFields.keySet().forEach(this::stream);
    cursorFields.forEach((stream, field) -> cursorOverrides.put(stream, List.of(field)));
    return this;
  }

  /**
   * Keys {@code stream} by these fields instead of the source's primary key, PyAirbyte's {@code
   * set_primary_key}. Earlier overrides of other streams stay.
   *
   * @throws AkbException naming the available streams when the source has no such stream
   */
  public Source setPrimaryKey(String stream, List<String> fields) {
    return setPrimaryKeys(Map.of(stream, fields));
  }

  /**
   * Primary keys per stream, PyAirbyte's {@code set_primary_keys(stream1="pk1", stream2=["pk1",
   * "pk2"])}: each replaces the stream's own key; streams not named keep theirs.
   *
   * @throws AkbException naming the available streams when one stream is unknown (then no override
   *     is set)
   */
  public Source setPrimaryKeys(Map<String, List<String>> primaryKeys) {
    primaryKeys.keySet().forEach(this::stream);
    primaryKeys.forEach(
        (stream, fields) ->
            primaryKeyOverrides.put(stream, fields.stream().map(List::of).toList()));
    return this;
  }

  /** Uses this JSON schema for {@code stream} instead of the discovered one. */
  public Source setStreamJsonSchema(String stream, JsonNode jsonSchema) {
    stream(stream);
    schemaOverrides.put(stream, jsonSchema.deepCopy());
    return this;
  }

  /** The stream's JSON schema: the override if any, else the discovered one. */
  public JsonNode streamJsonSchema(String stream) {
    JsonNode override = schemaOverrides.get(stream);
    return override != null ? override : stream(stream).jsonSchema();
  }

  /**
   * The catalog of the selected streams (all when none is selected): incremental where the stream
   * supports it and has a cursor, else full refresh; overrides applied.
   */
  public ConfiguredAirbyteCatalog configuredCatalog() {
    return configuredCatalog(selectedStreams(), false);
  }

  /**
   * The catalog of {@code streams} ({@code ["*"]}: every stream), in full refresh when {@code
   * forceFullRefresh}.
   */
  public ConfiguredAirbyteCatalog configuredCatalog(
      List<String> streams, boolean forceFullRefresh) {
    List<ConfiguredAirbyteStream> configured = new ArrayList<>();
    for (String streamName : streams.contains(ALL_STREAMS) ? availableStreams() : streams) {
      AirbyteStream stream = stream(streamName);
      List<String> cursor =
          cursorOverrides.getOrDefault(
              streamName,
              stream.defaultCursorField() == null ? List.of() : stream.defaultCursorField());
      List<List<String>> primaryKey =
          primaryKeyOverrides.getOrDefault(
              streamName,
              stream.sourceDefinedPrimaryKey() == null
                  ? List.of()
                  : stream.sourceDefinedPrimaryKey());
      boolean incremental =
          !forceFullRefresh
              && stream.supportedSyncModes() != null
              && stream.supportedSyncModes().contains(SyncMode.INCREMENTAL)
              && (Boolean.TRUE.equals(stream.sourceDefinedCursor()) || !cursor.isEmpty());
      JsonNode schema = schemaOverrides.get(streamName);
      AirbyteStream effective =
          schema == null
              ? stream
              : new AirbyteStream(
                  stream.name(),
                  schema,
                  stream.supportedSyncModes(),
                  stream.sourceDefinedCursor(),
                  stream.defaultCursorField(),
                  stream.sourceDefinedPrimaryKey(),
                  stream.namespace(),
                  stream.isResumable(),
                  stream.unknownFields());
      configured.add(
          new ConfiguredAirbyteStream(
              effective,
              incremental ? SyncMode.INCREMENTAL : SyncMode.FULL_REFRESH,
              cursor,
              incremental
                  ? (primaryKey.isEmpty()
                      ? DestinationSyncMode.APPEND
                      : DestinationSyncMode.APPEND_DEDUP)
                  : DestinationSyncMode.OVERWRITE,
              primaryKey,
              null,
              null,
              null,
              null));
    }
    return new ConfiguredAirbyteCatalog(configured, null);
  }

  /** Reads the selected streams from scratch. */
  public MessageStream read() {
    return read(configuredCatalog(), null);
  }

  /**
   * Runs {@code read} with this catalog.
   *
   * @param catalog the streams to read
   * @param state the state to resume from: a JSON array of STATE messages (each the {@code state}
   *     payload, or a whole {@code {"type":"STATE","state":...}} message), or null for a first read
   * @return every message of the run; close it to stop the connector
   */
  public MessageStream read(ConfiguredAirbyteCatalog catalog, JsonNode state) {
    ConnectorRun run = prepare();
    Map<String, String> files = new LinkedHashMap<>();
    files.put("--config", run.configJson);
    files.put("--catalog", AirbyteJson.toJson(catalog));
    JsonNode stateArgument = stateArgument(state);
    if (stateArgument != null) {
      files.put("--state", stateArgument.toString());
    }
    return run.runner.run(new ConnectorInvocation("read", files, List.of(), false));
  }

  /**
   * Reads the selected streams into {@code cache}, resuming incremental streams from the state the
   * cache holds for this source.
   */
  public ReadResult read(Cache cache) {
    ConfiguredAirbyteCatalog catalog = configuredCatalog();
    try (MessageStream messages = read(catalog, cache.state(name))) {
      return cache.write(this, catalog, messages);
    }
  }

  /**
   * Every record of {@code stream}, read in full refresh; see {@link #getRecords(String, long)}.
   */
  public Stream<JsonNode> getRecords(String stream) {
    return getRecords(stream, Long.MAX_VALUE);
  }

  /**
   * The records of {@code stream} (their {@code data}), read lazily in full refresh. The connector
   * starts at the first element asked for and is stopped once {@code limit} records were taken or
   * the stream is closed: use try-with-resources.
   */
  public Stream<JsonNode> getRecords(String stream, long limit) {
    return recordMessages(stream, limit).map(message -> message.record().data());
  }

  /**
   * A few records of each selected stream (every stream when none is selected), as PyAirbyte's
   * {@code get_samples()}: {@code getSamples(selectedStreams(), DEFAULT_SAMPLE_LIMIT,
   * OnError.RAISE)}.
   */
  public Map<String, List<JsonNode>> getSamples() {
    return getSamples(selectedStreams(), DEFAULT_SAMPLE_LIMIT, OnError.RAISE);
  }

  /**
   * Up to {@link #DEFAULT_SAMPLE_LIMIT} (5) records of each of {@code streams}, PyAirbyte's {@code
   * get_samples(streams, on_error=...)}.
   */
  public Map<String, List<JsonNode>> getSamples(List<String> streams, OnError onError) {
    return getSamples(streams, DEFAULT_SAMPLE_LIMIT, onError);
  }

  /**
   * Up to {@code limit} records (their {@code data}) of each of {@code streams}, PyAirbyte's {@code
   * get_samples(streams, limit=..., on_error=...)}: one short full-refresh read per stream, each
   * stopped at the limit, so a source with millions of records answers in seconds.
   *
   * @param streams the streams, in the order of the answer; {@code ["*"]}: every stream; null: the
   *     selected streams
   * @param onError what a stream whose read fails (or an unknown stream) does: {@link
   *     OnError#RAISE} throws, {@link OnError#LOG} logs a warning and {@link OnError#IGNORE} does
   *     not; both map the stream to null and go on with the next
   * @return each stream's records, in the order given; null for a stream that failed
   * @throws AkbException the first failure, with {@link OnError#RAISE}
   */
  public Map<String, List<JsonNode>> getSamples(List<String> streams, int limit, OnError onError) {
    List<String> names =
        streams == null
            ? selectedStreams()
            : streams.contains(ALL_STREAMS) ? availableStreams() : streams;
    Map<String, List<JsonNode>> samples = new LinkedHashMap<>();
    for (String stream : names) {
      try (Stream<JsonNode> records = getRecords(stream, limit)) {
        samples.put(stream, records.toList());
      } catch (RuntimeException e) {
        if (onError == OnError.RAISE) {
          throw e;
        }
        samples.put(stream, null);
        if (onError == OnError.LOG) {
          // An AkbException is masked already; anything else may quote the config.
          log.warn(
              "Error fetching sample for stream '{}': {}",
              stream,
              e instanceof AkbException ? e.getMessage() : SecretMasker.none().mask(e.toString()));
        }
      }
    }
    return samples;
  }

  /**
   * Prints a few records of each selected stream (every stream when none is selected) as tables,
   * PyAirbyte's {@code print_samples()}: {@code printSamples(selectedStreams(),
   * DEFAULT_SAMPLE_LIMIT, OnError.LOG, out)}.
   */
  public void printSamples(PrintStream out) {
    printSamples(selectedStreams(), DEFAULT_SAMPLE_LIMIT, OnError.LOG, out);
  }

  /**
   * Prints up to {@code limit} records of each of {@code streams} to {@code out}, PyAirbyte's
   * {@code print_samples(streams, limit=5, on_error="log")}: a heading per stream, then a table
   * with a column per field and a row per record; a stream of more than 10 fields is turned around
   * (a row per field, a column per record) to stay readable. A stream whose read fails shows "Error
   * fetching sample records." (with {@link OnError#RAISE}, the failure is thrown instead). Cells
   * wider than 40 characters wrap onto more lines; strings print as they are, other values as JSON,
   * a missing field as an empty cell.
   *
   * @param streams as for {@link #getSamples(List, int, OnError)}
   */
  public void printSamples(List<String> streams, int limit, OnError onError, PrintStream out) {
    List<String> names =
        streams == null
            ? selectedStreams()
            : streams.contains(ALL_STREAMS) ? availableStreams() : streams;
    out.println("# Sample Records from `" + name + "` (" + names.size() + " selected streams)");
    for (String stream : names) {
      out.println();
      out.println("## `" + stream + "` Stream Sample");
      List<JsonNode> records = getSamples(List.of(stream), limit, onError).get(stream);
      if (records == null) {
        out.println("Error fetching sample records.");
      } else {
        out.print(SampleTable.render(records));
      }
    }
    out.println();
    out.println("--------------");
    out.flush();
  }

  /**
   * The records of {@code stream} as documents for LLM pipelines, as PyAirbyte's {@code
   * get_documents}: a title property, content properties rendered as text, and metadata properties
   * (null: every other property).
   */
  public Stream<Document> getDocuments(
      String stream,
      long limit,
      String titleProperty,
      List<String> contentProperties,
      List<String> metadataProperties) {
    List<List<String>> primaryKey =
        primaryKeyOverrides.getOrDefault(
            stream,
            stream(stream).sourceDefinedPrimaryKey() == null
                ? List.of()
                : stream(stream).sourceDefinedPrimaryKey());
    return recordMessages(stream, limit)
        .map(
            message ->
                Document.fromRecord(
                    message.record(),
                    primaryKey,
                    titleProperty,
                    contentProperties,
                    metadataProperties));
  }

  private Stream<AirbyteMessage> recordMessages(String stream, long limit) {
    ConfiguredAirbyteCatalog catalog = configuredCatalog(List.of(stream), true);
    LazyRecords records = new LazyRecords(catalog, limit);
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(records, Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(records::close);
  }

  /** Starts the read at the first hasNext and stops the connector after {@code limit} records. */
  private final class LazyRecords implements Iterator<AirbyteMessage>, AutoCloseable {
    private final ConfiguredAirbyteCatalog catalog;
    private final long limit;
    private MessageStream messages;
    private AirbyteMessage next;
    private long taken;
    private boolean done;

    LazyRecords(ConfiguredAirbyteCatalog catalog, long limit) {
      this.catalog = catalog;
      this.limit = limit;
    }

    @Override
    public boolean hasNext() {
      if (next != null) {
        return true;
      }
      if (done) {
        return false;
      }
      if (taken >= limit) {
        close();
        return false;
      }
      if (messages == null) {
        messages = read(catalog, null);
      }
      while (messages.hasNext()) {
        AirbyteMessage message = messages.next();
        if (message.type() == AirbyteMessage.Type.RECORD && message.record() != null) {
          next = message;
          return true;
        }
      }
      close();
      return false;
    }

    @Override
    public AirbyteMessage next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      AirbyteMessage message = next;
      next = null;
      taken++;
      return message;
    }

    @Override
    public void close() {
      done = true;
      if (messages != null) {
        messages.close();
      }
    }
  }

  /** A run's resolved config (in clear, for the private file only) and the masker for it. */
  private record ConnectorRun(String configJson, SecretMasker masker, ConnectorRunner runner) {}

  /**
   * The config this run starts with: the given one, secret references resolved, with the stored
   * config updates applied when {@link ConnectorOptions#configUpdates} is set.
   */
  private ConnectorRun prepare() {
    requireConfig();
    SecretResolver.Resolved resolved = secrets.resolve(config);
    ConfigUpdates updates = options.configUpdates();
    ConfigUpdates.Run updated =
        updates == null ? null : updates.start(name, configSpec(), resolved.config());
    JsonNode startWith = updated == null ? resolved.config() : updated.config();
    SecretMasker masker = SecretMasker.forConfig(configSpec(), startWith).with(resolved.secrets());
    ConnectorRunner runner =
        new ConnectorRunner(
            name,
            executor,
            options,
            masker,
            newConfig -> configUpdated(updated, newConfig, masker));
    return new ConnectorRun(startWith.toString(), masker, runner);
  }

  private SecretMasker masker(SecretResolver.Resolved resolved) {
    return SecretMasker.forConfig(configSpec(), resolved.config()).with(resolved.secrets());
  }

  private ConnectorRunner runner(SecretMasker masker) {
    return new ConnectorRunner(name, executor, options, masker, null);
  }

  /** A CONTROL config update: stored when the options say where, then given to the listener. */
  private void configUpdated(ConfigUpdates.Run updated, JsonNode newConfig, SecretMasker masker) {
    if (updated == null) {
      log.info("{} sent an updated config (not stored: no ConnectorOptions.configUpdates)", name);
    } else {
      updated.accept(newConfig, masker.withConfig(newConfig));
    }
    Consumer<JsonNode> listener = onConfigUpdate;
    if (listener != null) {
      listener.accept(newConfig.deepCopy());
    }
  }

  private void requireConfig() {
    if (config == null) {
      throw new AkbException(
          name, "no config is set", "Call setConfig(...) or pass the config to getSource.");
    }
  }

  private AirbyteStream stream(String streamName) {
    return discoveredCatalog().streams().stream()
        .filter(s -> s.name().equals(streamName))
        .findFirst()
        .orElseThrow(
            () ->
                new AkbException(
                    "finding stream " + streamName + " of " + name,
                    "the source has no stream named " + streamName,
                    "Available streams: " + String.join(", ", availableStreams()) + "."));
  }

  /** Normalizes a state argument to the JSON array of state payloads the protocol expects. */
  static JsonNode stateArgument(JsonNode state) {
    if (state == null || state.isNull() || (state.isArray() && state.isEmpty())) {
      return null;
    }
    if (!state.isArray()) {
      return state; // a LEGACY state object is passed as it is
    }
    ArrayNode payloads = AirbyteJson.MAPPER.createArrayNode();
    for (JsonNode element : state) {
      boolean wholeMessage = "STATE".equals(element.path("type").asText()) && element.has("state");
      payloads.add(wholeMessage ? element.get("state") : element);
    }
    return payloads;
  }

  @Override
  public String toString() {
    return "Source[" + name + ", " + executor.describe() + "]";
  }
}
