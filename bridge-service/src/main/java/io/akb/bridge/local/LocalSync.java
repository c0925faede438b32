package io.akb.bridge.local;

import io.akb.bridge.replay.BridgeTarget;
import io.akb.bridge.replay.RecordGap;
import io.akb.bridge.replay.TargetStatus;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicNames;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One {@code akb sync}: the Airbyte source runs as a Kafka Connect source connector in a standalone
 * worker inside this process, on the embedded broker (or the cluster in {@code
 * KAFKA_BOOTSTRAP_SERVERS}), and the bridge's replay engine writes its topics to the cache, or with
 * {@link SyncOptions#destination} its destination target to that Airbyte destination (see {@link
 * SyncTarget}). It returns once the sync has completed and the cache holds, or the destination has
 * confirmed, all of it.
 *
 * <p>Why it is incremental: Connect keeps the source's state as source offsets in {@code
 * <workDir>/connect/<connector>.offsets} and passes it to the next sync; the cache keeps the topic
 * offsets it has applied, so the next run replays only what is new. Both only hold together with
 * the same broker log ({@code <workDir>/kafka}), which is why the embedded broker keeps it.
 *
 * <p>{@link #close()} may be called from another thread (a shutdown hook on Ctrl-C): it stops the
 * connector (its offsets are written), the replay (its batch is written and the cache released) and
 * the broker, in that order.
 */
public final class LocalSync implements AutoCloseable {
  /** Connect's class of the source connector, the one a distributed worker runs too. */
  static final String CONNECTOR_CLASS = "io.akb.connect.source.AirbyteSourceConnector";

  private static final Duration TICK = Duration.ofMillis(500);

  /**
   * How long the records a completed sync counted may take to be all in Kafka. The source writes
   * SYNC_COMPLETED to the state topic while its producer may still be sending records to theirs;
   * stopping the task before they are sent would drop them.
   */
  static final Duration RECORDS_IN_KAFKA_WAIT = Duration.ofSeconds(60);

  /**
   * How long a failed sync waits for the cache to apply what the source sent before it failed: the
   * summary then says truly what is in the cache. Past it, the summary gives both numbers.
   */
  static final Duration FAILED_SYNC_CACHE_WAIT = Duration.ofSeconds(60);

  /**
   * How long a failed task's last events on the state topic may take to be read: they were sent
   * before the task failed, so this only bounds a broker that does not answer.
   */
  static final Duration STATE_TOPIC_CATCH_UP = Duration.ofSeconds(30);

  /** One sync per run: the connector would start the next one after this long. */
  private static final long ONE_DAY_MS = Duration.ofDays(1).toMillis();

  private final SyncOptions options;
  private final ProgressDisplay display;
  private final PrintStream out;
  private final Path logFile;
  private final Deque<AutoCloseable> open = new ArrayDeque<>();
  private boolean closed;

  /** A sync that reports to {@code display} and prints its summary to {@code out}. */
  public LocalSync(SyncOptions options, ProgressDisplay display, PrintStream out) {
    this(options, display, out, null);
  }

  /**
   * As above, with this run's log file (see {@link SyncLogFile#route}), which the summary and error
   * messages name; null when the log goes elsewhere.
   */
  public LocalSync(SyncOptions options, ProgressDisplay display, PrintStream out, Path logFile) {
    this.options = options;
    this.display = display;
    this.out = out;
    this.logFile = logFile == null ? null : logFile.toAbsolutePath().normalize();
  }

  /** Where this run's log is, as error messages put it. */
  String logFileText() {
    return logFile == null
        ? "the log file in " + options.workDir().resolve("logs").toAbsolutePath().normalize()
        : "the log file " + logFile;
  }

  /** The name of the connector, and of its offsets file: {@code akb-sync-<source>}. */
  public static String connectorName(String sourceName) {
    return "akb-sync-" + sourceName;
  }

  /**
   * Runs the sync to its end and prints the summary.
   *
   * @return the progress as it ended
   * @throws AkbException when the source, Kafka, Connect or the cache fails
   */
  public SyncProgress run() {
    String prefix = TopicNames.defaultPrefix(options.sourceName());
    String stateTopic = TopicNames.stateTopic(prefix);
    String connector = connectorName(options.sourceName());
    Path offsetsFile = options.workDir().resolve("connect").resolve(connector + ".offsets");
    SyncProgress progress =
        new SyncProgress(prefix, options.sourceName(), options.connector().idleTimeout());
    if (options.destination() != null) {
      progress.writesTo(options.destination().name());
    }
    try {
      prepareOffsets(offsetsFile);
      String bootstrap = options.bootstrapServers();
      if (bootstrap == null) {
        display.update(progress);
        Path kafkaDir = options.workDir().resolve("kafka");
        EmbeddedKafkaBroker broker = remember(EmbeddedKafkaBroker.start(kafkaDir));
        bootstrap = broker.bootstrapServers();
        display.note("Kafka: embedded broker at " + bootstrap + ", log in " + kafkaDir);
      } else {
        display.note("Kafka: " + bootstrap + " (KAFKA_BOOTSTRAP_SERVERS)");
      }
      progress.phase(SyncProgress.Phase.STARTING_CONNECT);
      display.update(progress);
      SyncTopics topics = remember(SyncTopics.open(bootstrap, prefix, stateTopic));
      StandaloneConnectWorker worker =
          remember(StandaloneConnectWorker.start(bootstrap, offsetsFile));
      worker.startConnector(connector, connectorConfig(connector, bootstrap, prefix));
      // Before the sync creates its topics is fine: the replay picks them up as they appear.
      // A full refresh reads the source anew: records gone from Kafka are not needed.
      RecordGap.GapPolicy onGap =
          options.fullRefresh() ? RecordGap.GapPolicy.SKIP : RecordGap.GapPolicy.FAIL;
      SyncTarget replay =
          remember(
              options.destination() == null
                  ? CacheReplay.start(
                      bootstrap, prefix, options.cache(), options.effectiveStrategy(), onGap)
                  : DestinationReplay.start(
                      bootstrap,
                      prefix,
                      options.sourceName(),
                      options.destination(),
                      options.effectiveStrategy(),
                      onGap,
                      options.workDir()));
      progress.phase(SyncProgress.Phase.WAITING_FOR_SOURCE);
      display.update(progress);

      follow(progress, topics, worker, connector, replay, bootstrap, offsetsFile);

      progress.sampleCache(replay.status());
      Map<String, Long> rows = rowsInCache(replay, progress);
      int states = statesInCache(replay);
      progress.phase(SyncProgress.Phase.DONE);
      progress.settleRates();
      display.finish(progress);
      new SyncSummary(options, progress, rows, states, replay, offsetsFile, logFile)
          .print(out, bootstrap, options.bootstrapServers() == null);
      return progress;
    } catch (RuntimeException e) {
      if (progress.phase() != SyncProgress.Phase.FAILED) {
        progress.phase(SyncProgress.Phase.FAILED);
        display.finish(progress);
      }
      throw e;
    }
  }

  /**
   * Polls the state topic, the topics' ends and the cache until the sync is in the cache. Returns
   * only for a sync whose {@code SYNC_COMPLETED} says SUCCEEDED (see {@link SyncEnd}); a failed one
   * always ends in an exception.
   */
  private void follow(
      SyncProgress progress,
      SyncTopics topics,
      StandaloneConnectWorker worker,
      String connector,
      SyncTarget replay,
      String bootstrap,
      Path offsetsFile) {
    SyncEnd end = new SyncEnd(RECORDS_IN_KAFKA_WAIT, FAILED_SYNC_CACHE_WAIT);
    Completion completion = new Completion(progress);
    while (true) {
      completion.take(topics.pollEvents(TICK));
      if (completion.event == null) {
        Optional<String> failure = worker.failure(connector);
        if (failure.isPresent()) {
          // The task sends its sync's closing events before it fails, but this loop may see the
          // failed task first: read them, so that a failed source ends like any failed sync (the
          // cache given time to apply what it sent, the summary, the source's own error).
          completion.take(topics.pollToEnd(STATE_TOPIC_CATCH_UP));
          if (completion.event == null) {
            throw connectorFailed(failure.get());
          }
        }
      }
      StateEvent completed = completion.event;
      long completedAt = completion.offset;
      progress.sampleRecords(topics.recordsSinceStart(progress.topics()));
      SyncEnd.Next next = SyncEnd.Next.WAIT;
      Map<String, Long> missing = Map.of();
      if (completed != null) {
        // One look per tick: the cache asked twice could be behind the first time and through
        // the event the second, and a failed sync must not end as if it were done.
        missing = recordsNotInKafkaYet(completed, topics);
        next =
            end.next(
                completed.status(),
                missing.isEmpty(),
                replay.appliedThrough(completedAt),
                Duration.ofNanos(System.nanoTime() - completion.seenNanos));
      }
      switch (next) {
        case FAILED, FAILED_CACHE_BEHIND ->
            throw syncFailed(
                completed,
                progress,
                topics,
                replay,
                next == SyncEnd.Next.FAILED,
                bootstrap,
                offsetsFile);
        case RECORDS_MISSING ->
            throw new AkbException(
                "syncing " + options.sourceName(),
                "the source's sync completed, but "
                    + RECORDS_IN_KAFKA_WAIT.toSeconds()
                    + " s later records it counted are still not in Kafka: "
                    + missing.entrySet().stream()
                        .map(entry -> entry.getValue() + " of " + entry.getKey())
                        .collect(Collectors.joining(", ")),
                "Look in "
                    + logFileText()
                    + " for the Connect worker's producer errors (a broker that refuses records, a"
                    + " full disk). The records already in the cache stay; run the sync again.");
        case STOP_CONNECTOR -> {
          if (progress.phase() != SyncProgress.Phase.CACHING) {
            progress.phase(SyncProgress.Phase.CACHING);
            // Stopping the task now writes its final offsets, and no second sync starts.
            worker.stopConnector(connector);
          }
        }
        case DONE -> {} // returns below, once the cache is known not to have failed
        case WAIT -> {
          if (completed != null && !StateEvent.SYNC_SUCCEEDED.equals(completed.status())) {
            // The cache applies what the source sent before it failed: wait for it (bounded), so
            // the summary can say what is in the cache, not guess it.
            progress.phase(SyncProgress.Phase.SAVING_FAILED);
          }
        }
      }
      TargetStatus cacheStatus = replay.status();
      progress.sampleCache(cacheStatus);
      if (cacheStatus.phase() == BridgeTarget.Phase.FAILED && !cacheStatus.gaps().isEmpty()) {
        throw new AkbException(
            "syncing " + options.sourceName() + " into " + replay.describe(),
            String.valueOf(cacheStatus.lastError()),
            "Records are gone from Kafka before "
                + replay.describe()
                + " read them, so it cannot be made complete from the topics: run akb sync"
                + " --full-refresh to read the source again from scratch (the target then reads"
                + " on past the gap).");
      }
      if (cacheStatus.phase() == BridgeTarget.Phase.FAILED) {
        throw replay.failed(cacheStatus);
      }
      if (next == SyncEnd.Next.DONE) {
        return;
      }
      display.update(progress);
    }
  }

  /** This sync's {@code SYNC_COMPLETED} once seen: the event, its offset and when it was seen. */
  private static final class Completion {
    private final SyncProgress progress;
    StateEvent event;
    long offset = -1;
    long seenNanos;

    Completion(SyncProgress progress) {
      this.progress = progress;
    }

    /** Applies {@code events} to the progress and notes the sync's end among them. */
    void take(List<SyncTopics.PositionedEvent> events) {
      for (SyncTopics.PositionedEvent positioned : events) {
        StateEvent polled = positioned.event();
        progress.apply(polled);
        if (polled.type() == StateEvent.Type.SYNC_COMPLETED
            && polled.syncId().equals(progress.syncId())) {
          offset = positioned.offset();
          event = polled;
          seenNanos = System.nanoTime();
        }
      }
    }
  }

  /**
   * Ends a sync whose source failed: prints the summary with what is in Kafka and in the cache, and
   * returns the error, whose hint gives the same numbers.
   *
   * @param caughtUp whether the cache applied everything before the failure; when not, it stopped
   *     waiting after {@link #FAILED_SYNC_CACHE_WAIT}
   */
  private AkbException syncFailed(
      StateEvent completed,
      SyncProgress progress,
      SyncTopics topics,
      SyncTarget replay,
      boolean caughtUp,
      String bootstrap,
      Path offsetsFile) {
    long inKafka =
        topics.recordsSinceStart(progress.topics()).values().stream()
            .mapToLong(Long::longValue)
            .sum();
    progress.sampleCache(replay.status());
    Map<String, Long> rows = rowsInCache(replay, progress);
    int states = statesInCache(replay);
    long cached = progress.streams().stream().mapToLong(SyncProgress.StreamProgress::cached).sum();
    long rowsTotal = rows == null ? -1 : rows.values().stream().mapToLong(Long::longValue).sum();
    progress.phase(SyncProgress.Phase.FAILED);
    progress.settleRates();
    display.finish(progress);
    SyncSummary summary =
        new SyncSummary(options, progress, rows, states, replay, offsetsFile, logFile);
    String numbers = summary.failedNumbers(inKafka, cached, rowsTotal, caughtUp);
    summary.printFailed(out, bootstrap, options.bootstrapServers() == null, numbers);
    return new AkbException(
        "syncing " + options.sourceName(),
        completed.error() == null ? "the source failed" : completed.error(),
        "\n"
            + numbers
            + " The next akb sync resumes from the source's last checkpoint"
            + (caughtUp ? "" : " and writes the records still in Kafka to " + replay.describe())
            + ". "
            + capitalized(logFileText())
            + " has the source's output.");
  }

  private static String capitalized(String text) {
    return Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  /**
   * Records a completed sync counted per record topic that are not in the topic yet: the checkpoint
   * counts are per {@code topic/partition}, the topics' growth since this run started per topic.
   * Empty once all are there.
   */
  private static Map<String, Long> recordsNotInKafkaYet(StateEvent completed, SyncTopics topics) {
    Map<String, Long> counted = new LinkedHashMap<>();
    if (completed.counts() != null) {
      completed
          .counts()
          .forEach(
              (topicPartition, count) ->
                  counted.merge(
                      topicPartition.substring(0, topicPartition.lastIndexOf('/')),
                      count,
                      Long::sum));
    }
    if (counted.isEmpty()) {
      return Map.of();
    }
    Map<String, Long> inKafka = topics.recordsSinceStart(List.copyOf(counted.keySet()));
    Map<String, Long> missing = new LinkedHashMap<>();
    counted.forEach(
        (topic, count) -> {
          long notYet = count - inKafka.getOrDefault(topic, 0L);
          if (notYet > 0) {
            missing.put(topic, notYet);
          }
        });
    return missing;
  }

  /** The local mode's producer buffer (Kafka's default is 32 MB): see {@link #connectorConfig}. */
  static final long LOCAL_PRODUCER_BUFFER_BYTES = 8L * 1024 * 1024;

  /** The connector's options, as a Connect worker would receive them in its REST request. */
  Map<String, String> connectorConfig(String connector, String bootstrap, String prefix) {
    // Keys of io.akb.connect.source.AirbyteSourceConfig (connect-plugin is only on the runtime
    // class path: Connect instantiates the connector by class name, as a worker would).
    Map<String, String> config = new LinkedHashMap<>();
    config.put("name", connector);
    config.put("connector.class", CONNECTOR_CLASS);
    config.put("tasks.max", "1");
    // The fastest record path: each record's JSON serialized once, no Connect value in between;
    // the topics hold the same JSON as with record.format=json.
    config.put("record.format", "raw");
    config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    // Connect keeps every record its producer holds until the broker acknowledges it: the
    // producer's 32 MB default buffer held some 55,000 records (and their Connect wrappers, twice
    // the bytes) in a JVM that also runs the broker and the bridge. 8 MB keeps the pipe full.
    config.put("producer.override.buffer.memory", String.valueOf(LOCAL_PRODUCER_BUFFER_BYTES));
    config.put("airbyte.connector.name", options.sourceName());
    config.put("airbyte.config", options.config().toString());
    if (!options.streams().isEmpty()) {
      config.put("streams", String.join(",", options.streams()));
    }
    ConnectorOptions source = options.connector();
    putIfSet(config, "airbyte.connector.version", source.version());
    putIfSet(config, "airbyte.pip.url", source.pipUrl());
    putIfSet(config, "airbyte.install.dir", source.installDir().toString());
    // "auto" would prefer a venv over a Docker image: name the executor the user asked for.
    if (source.localExecutable() != null) {
      config.put("airbyte.executor", "local");
      config.put("airbyte.local.executable", source.localExecutable());
    } else if (source.manifest() != null) {
      config.put("airbyte.executor", "manifest");
      config.put("airbyte.manifest", source.manifest());
    } else if (source.dockerImage() != null) {
      config.put("airbyte.executor", "docker");
      // "true" means the registry's image, which the connector picks when none is named.
      if (!"true".equalsIgnoreCase(source.dockerImage())) {
        config.put("airbyte.docker.image", source.dockerImage());
      }
    }
    config.put("topic.prefix", prefix);
    config.put("bootstrap.servers", bootstrap);
    config.put("sync.interval.ms", String.valueOf(ONE_DAY_MS));
    config.put("sync.resume.schedule", "false"); // each akb sync run is one sync, started at once
    config.put("sync.retries", "0");
    config.put("airbyte.idle.timeout.ms", String.valueOf(source.idleTimeout().toMillis()));
    // Only when asked for: unset, the task uses the same default ($AKB_CONFIG_UPDATES_DIR, else
    // ~/.local/state/akb/config-updates) but a home it cannot write to is then only a warning.
    if (source.configUpdates() != null) {
      config.put(
          "airbyte.config.updates.dir",
          source.configUpdates().directory().toAbsolutePath().normalize().toString());
    }
    return config;
  }

  private static void putIfSet(Map<String, String> config, String key, String value) {
    if (value != null && !value.isBlank()) {
      config.put(key, value);
    }
  }

  /** A full refresh forgets the source's state: the connector then reads every stream anew. */
  private void prepareOffsets(Path offsetsFile) {
    try {
      Files.createDirectories(offsetsFile.toAbsolutePath().getParent());
      if (options.fullRefresh()) {
        Files.deleteIfExists(offsetsFile);
      }
    } catch (IOException e) {
      throw new AkbException(
          "preparing Connect's offsets file " + offsetsFile,
          String.valueOf(e.getMessage()),
          "Run akb sync from a directory you can write to.",
          e);
    }
  }

  /** Rows per stream in the cache; null for a destination. */
  private static Map<String, Long> rowsInCache(SyncTarget replay, SyncProgress progress) {
    return replay.rows(progress.streams().stream().map(SyncProgress.StreamProgress::name).toList());
  }

  private int statesInCache(SyncTarget replay) {
    String source = options.sourceName();
    for (TargetStatus.StreamStatus stream : replay.status().streams()) {
      if (stream.source() != null) {
        source = stream.source();
        break;
      }
    }
    return replay.states(source);
  }

  private AkbException connectorFailed(String trace) {
    // Connect's trace starts with the exception's message: AKB's readable paragraph.
    String message =
        trace
            .lines()
            .takeWhile(line -> !line.startsWith("\tat "))
            .reduce("", (a, b) -> a.isEmpty() ? b : a + "\n" + b);
    return new AkbException(
        "running " + options.sourceName() + " as a Kafka Connect source connector",
        message,
        capitalized(logFileText()) + " has Connect's full output.");
  }

  private <T extends AutoCloseable> T remember(T resource) {
    synchronized (open) {
      open.push(resource);
    }
    return resource;
  }

  /** Stops what this sync started, newest first; safe to call twice and from another thread. */
  @Override
  public void close() {
    synchronized (open) {
      if (closed) {
        return;
      }
      closed = true;
      while (!open.isEmpty()) {
        AutoCloseable resource = open.pop();
        try {
          resource.close();
        } catch (Exception e) {
          org.slf4j.LoggerFactory.getLogger(LocalSync.class).warn("Closing {}", resource, e);
        }
      }
    }
  }
}
