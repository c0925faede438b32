package io.akb.bridge.cli;

import io.akb.bridge.replay.BridgeStateStore;
import io.akb.bridge.replay.BridgeTarget;
import io.akb.bridge.replay.DestinationReplicator;
import io.akb.bridge.replay.DestinationSettings;
import io.akb.bridge.replay.TargetSettings;
import io.akb.bridge.replay.TargetStatus;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.SqlCache;
import io.akb.cache.WriteStrategy;
import io.akb.cache.jdbc.JdbcSqlCache;
import io.akb.runtime.AkbException;
import io.akb.runtime.Destination;
import io.akb.runtime.WriteResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code akb write DESTINATION --from CACHE}: PyAirbyte's {@code destination.write(cache)}, the
 * streams of a SQL cache into an Airbyte destination ({@link Destination#write(
 * io.akb.runtime.ReadableCache, List)}), incremental: the positions the destination confirmed are
 * stored in the cache, so running it again sends only what is new.
 *
 * <p>{@code --from} names what to write. Each form has its own method: {@link #writeFromCache} and
 * {@link #writeFromTopics} ({@code topics:}, topics of the topic contract replayed through a {@link
 * DestinationReplicator} until the destination confirmed everything up to their end); the form is
 * told by the value's prefix ({@code topics:}, {@code duckdb:}, {@code postgres:}, a bare path for
 * a cache).
 */
@Command(
    name = "write",
    description =
        "Write the streams of a SQL cache, or topics written by the source connector, into an"
            + " Airbyte destination (PyAirbyte's destination.write(cache)). Running it again sends"
            + " only what the destination has not confirmed yet.")
final class WriteCommand implements Runnable {
  @Mixin HelpOption help;

  @Parameters(
      index = "0",
      paramLabel = "NAME",
      description = "Destination name, e.g. destination-ailake.")
  String name;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "CACHE|topics:LIST",
      description =
          "What to write: a SQL cache that akb read or akb sync filled, as duckdb:PATH,"
              + " postgres:JDBC_URL, or the path of a .duckdb file; or topics:LIST, topics of the"
              + " topic contract, a comma-separated list of source prefixes (ending in '.', such"
              + " as airbyte.source-faker.) and topic names.")
  String from;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description =
          "With --from topics: the Kafka cluster. Default: $KAFKA_BOOTSTRAP_SERVERS, else"
              + " localhost:9092.")
  String bootstrapServers;

  @Option(
      names = "--state-store",
      paramLabel = "STORE",
      description =
          "With --from topics: where the offsets the destination confirmed are kept, so a new run"
              + " sends only what is new: duckdb:PATH or postgres:URL. Default: "
              + BridgeStateStore.DEFAULT
              + ".")
  String stateStore = BridgeStateStore.DEFAULT;

  @Mixin ConnectorOptionsMixin connector;

  @Option(
      names = "--streams",
      split = ",",
      paramLabel = "STREAM",
      description =
          "Streams of the cache to write, comma-separated (not with --from topics:). Default: every"
              + " stream of the cache.")
  List<String> streams = List.of();

  @Spec CommandSpec spec;

  static final String TOPICS_PREFIX = "topics:";

  /** Kafka for {@code --from topics:}, as {@code akb sync} reads it. */
  static final String BOOTSTRAP_ENV = SyncCommand.BOOTSTRAP_ENV;

  @Override
  public void run() {
    if (from.strip().startsWith(TOPICS_PREFIX)) {
      writeFromTopics(from.strip().substring(TOPICS_PREFIX.length()));
      return;
    }
    // Checked before the destination installs (a minute for a new venv): a typo fails at once.
    CacheLocation location = CacheArgument.existing(from);
    Destination destination = connector.destination(name);
    writeFromCache(destination, location);
  }

  /** {@code --from} a SQL cache: every (or each selected) stream after its confirmed position. */
  private void writeFromCache(Destination destination, CacheLocation location) {
    PrintWriter out = spec.commandLine().getOut();
    long started = System.nanoTime();
    try (SqlCache cache = SqlCache.open(location, CacheOptions.defaults())) {
      WriteResult result = destination.write(cache, streams);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      if (result.writtenPerStream().isEmpty()) {
        out.printf(
            Locale.ROOT,
            "Nothing to write: %s has every record of %s already (%s).%n",
            name,
            cache.describe(),
            streams.isEmpty() ? "all streams" : String.join(", ", streams));
      } else {
        out.printf(
            Locale.ROOT,
            "Wrote %s to %s in %.1f s: %,d records sent, %,d confirmed.%n",
            cache.describe(),
            name,
            elapsed.toMillis() / 1000.0,
            result.recordsWritten(),
            result.recordsConfirmed());
        TextTable table = new TextTable("STREAM", "RECORDS WRITTEN", "CONFIRMED");
        result
            .writtenPerStream()
            .forEach(
                (stream, written) ->
                    table.add(
                        stream,
                        String.format(Locale.ROOT, "%,d", written),
                        String.format(
                            Locale.ROOT,
                            "%,d",
                            result.confirmedPerStream().getOrDefault(stream, 0L))));
        table.print(out);
      }
      out.println();
      out.println(
          "Positions confirmed by "
              + destination.positionsKey()
              + " are kept in the cache's "
              + JdbcSqlCache.DESTINATION_POSITIONS_TABLE
              + " table: the next akb write sends only what is new.");
    }
    out.flush();
  }

  /**
   * {@code --from topics:LIST}: the topics replayed through the destination, exactly as a bridge
   * destination target does (catalog from SYNC_STARTED, offsets stored once echoed), until it has
   * confirmed everything up to their end; then the destination's run is finished. The confirmed
   * offsets stay in the state store under {@code akb-write-NAME}, so a second run sends only what
   * is new.
   */
  private void writeFromTopics(String list) {
    if (!streams.isEmpty()) {
      // The streams are those of the sources' syncs: a subset would need its own catalog.
      throw new AkbException(
          "writing topics " + list + " to " + name,
          "--streams selects streams of a cache, and --from names topics",
          "Leave out --streams, or name only the topics to write in --from topics:LIST.");
    }
    List<String> prefixes = new ArrayList<>();
    List<String> topics = new ArrayList<>();
    for (String entry : list.split(",")) {
      String item = entry.strip();
      if (!item.isEmpty()) {
        (item.endsWith(".") ? prefixes : topics).add(item);
      }
    }
    String bootstrap = bootstrapServers != null ? bootstrapServers : System.getenv(BOOTSTRAP_ENV);
    String target = "akb-write-" + name;
    TargetSettings settings =
        new TargetSettings(
            target,
            null,
            new CacheOptions("", null, WriteStrategy.AUTO),
            prefixes,
            topics,
            Map.of(),
            10_000,
            16 << 20,
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            target,
            Map.of(
                "bootstrap.servers",
                bootstrap == null || bootstrap.isBlank() ? "localhost:9092" : bootstrap.strip()),
            new DestinationSettings(
                name,
                connector.config(name),
                connector.options(name),
                true,
                Duration.ofMinutes(5),
                Duration.ofMinutes(10)),
            null,
            false,
            null);
    PrintWriter out = spec.commandLine().getOut();
    long started = System.nanoTime();
    try (BridgeStateStore store = new BridgeStateStore(CacheLocation.parse(stateStore))) {
      DestinationReplicator replicator = new DestinationReplicator(settings, store, null);
      Thread thread = new Thread(replicator, "akb-write-" + name);
      thread.start();
      try {
        TargetStatus status = awaitConfirmedToTheEnd(replicator);
        replicator.close();
        thread.join();
        long sent =
            status.streams().stream().mapToLong(TargetStatus.StreamStatus::recordsApplied).sum();
        out.printf(
            Locale.ROOT,
            "Wrote topics %s to %s in %.1f s: %,d records sent, %,d confirmed.%n",
            list,
            name,
            Duration.ofNanos(System.nanoTime() - started).toMillis() / 1000.0,
            sent,
            replicator.recordsApplied());
        TextTable table = new TextTable("STREAM", "RECORDS WRITTEN");
        status
            .streams()
            .forEach(
                stream ->
                    table.add(
                        stream.stream(),
                        String.format(Locale.ROOT, "%,d", stream.recordsApplied())));
        table.print(out);
        out.println();
        out.println(
            "Offsets confirmed by "
                + name
                + " are kept in "
                + store.describe()
                + " as "
                + target
                + ": the next akb write sends only what is new.");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AkbException(
            "writing topics " + list + " to " + name,
            "interrupted",
            "Run akb write again: it sends what the destination has not confirmed yet.");
      } finally {
        replicator.close();
        // The replicator stores what the destination confirms until it ends: the store closes
        // after it.
        joinUninterruptibly(thread);
      }
    }
    out.flush();
  }

  private static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until the destination confirmed every record there is; fails on the first failure. */
  private static TargetStatus awaitConfirmedToTheEnd(DestinationReplicator replicator)
      throws InterruptedException {
    while (true) {
      TargetStatus status = replicator.status();
      if (status.phase() == BridgeTarget.Phase.FAILED) {
        throw new AkbException(
            "writing to " + status.destination(),
            status.lastError(),
            "Fix what the destination reports (its --config, its executor options) and run akb"
                + " write again: it sends what the destination has not confirmed yet.");
      }
      if (status.phase() == BridgeTarget.Phase.WAITING) {
        // No SYNC_STARTED on the state topics: nothing says what the streams are.
        throw new AkbException(
            "writing to " + status.destination(),
            status.lastError(),
            "Name the source's topic prefix (such as topics:airbyte.source-faker.) or its state"
                + " topic, once the source connector has run a sync.");
      }
      if (status.phase() == BridgeTarget.Phase.RUNNING && status.lag() == 0) {
        return status;
      }
      Thread.sleep(200);
    }
  }
}
