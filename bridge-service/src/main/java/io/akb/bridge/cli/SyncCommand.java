package io.akb.bridge.cli;

import io.akb.bridge.local.LocalSync;
import io.akb.bridge.local.ProgressDisplay;
import io.akb.bridge.local.SyncDestination;
import io.akb.bridge.local.SyncLogFile;
import io.akb.bridge.local.SyncOptions;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.Airbyte;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.control.ConfigUpdates;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code akb sync SOURCE}: reads an Airbyte source through Kafka into a SQL cache, or with {@code
 * --destination} into an Airbyte destination (PyAirbyte's {@code pyab sync}; see {@link
 * LocalSync}), on a Kafka broker inside this process unless {@code KAFKA_BOOTSTRAP_SERVERS} names a
 * cluster. Progress goes to stdout (a live table on a terminal, plain lines otherwise), every log
 * line to a file of the run's own in {@code <work dir>/logs/} (see {@link SyncLogFile}).
 */
@Command(
    name = "sync",
    description = {
      "Read a source into Kafka topics with the Kafka Connect source connector (standalone, in"
          + " this process) and replay the topics into a SQL cache, or with --destination into an"
          + " Airbyte destination (PyAirbyte's pyab sync). Running it again is incremental.",
      "Kafka: the cluster in $KAFKA_BOOTSTRAP_SERVERS, else a broker embedded in this process"
          + " (its log kept in <work dir>/kafka, listening on 127.0.0.1 only)."
    })
final class SyncCommand implements Runnable {
  /** Environment variable naming a Kafka cluster to use instead of the embedded broker. */
  static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";

  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "NAME", description = "Source name, e.g. source-faker.")
  String name;

  @Mixin ConnectorOptionsMixin connector;

  @Mixin StreamsOption streams;

  @Mixin CacheWriteOptions cache;

  @Mixin IdleTimeoutOption idle;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      defaultValue = "./.cache",
      description =
          "Where the embedded broker's log, Connect's offsets and the run logs (logs/akb-sync-<time>.log,"
              + " the last 10 runs; logs/akb-sync.log links to the newest) are kept. Default:"
              + " ${DEFAULT-VALUE}.")
  Path workDir;

  @Option(
      names = "--progress-interval",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description =
          "Seconds between progress lines when the output is not a terminal. Default:"
              + " ${DEFAULT-VALUE}.")
  int progressInterval;

  @Option(
      names = "--destination",
      paramLabel = "NAME",
      description =
          "Write the topics into this Airbyte destination (such as destination-duckdb) instead of"
              + " a SQL cache, as the bridge's destination target does; not with --cache. Its"
              + " confirmed offsets are kept in <work dir>/"
              + "akb_sync_destinations.duckdb, so the next sync sends only what is new. Default:"
              + " none, the cache.")
  String destination;

  @Option(
      names = "--destination-config",
      paramLabel = "FILE|JSON",
      description =
          "With --destination, required: its config, a JSON object or a JSON file (secret://NAME"
              + " references allowed).")
  String destinationConfig;

  @Option(
      names = "--destination-version",
      paramLabel = "VERSION",
      description = "With --destination: its PyPI version. Default: the registry's pinned version.")
  String destinationVersion;

  @Option(
      names = "--destination-pip-url",
      paramLabel = "REQUIREMENT",
      description = "With --destination: a pip requirement installed instead of its package.")
  String destinationPipUrl;

  @Option(
      names = "--destination-docker-image",
      paramLabel = "IMAGE",
      description =
          "With --destination: run this Docker image ('true': the registry's image). Default:"
              + " none.")
  String destinationDockerImage;

  @Option(
      names = "--destination-local-executable",
      paramLabel = "PROGRAM",
      description = "With --destination: run this program as the destination. Default: none.")
  String destinationLocalExecutable;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    if (progressInterval < 1) {
      throw new ParameterException(
          spec.commandLine(), "--progress-interval must be at least 1, not " + progressInterval);
    }
    // First: routing the log fixes where every logger of this JVM writes (ConfigUpdates, which
    // the options use, makes its logger as its class loads).
    Path logFile = SyncLogFile.route(workDir.resolve("logs"));
    SyncDestination target = destination();
    SyncOptions options = options(target);
    // The config is checked against the connector's spec before anything starts: a wrong config is
    // reported in seconds, naming each bad field, not after the broker and Connect are up.
    Airbyte.getSource(options.sourceName(), options.config(), options.connector());
    if (target != null) {
      Airbyte.getDestination(target.name(), target.config(), target.connector());
    }
    PrintStream out = System.out;
    ProgressDisplay display =
        ProgressDisplay.forOutput(out, ProgressDisplay.onTerminal(), options.plainInterval());
    LocalSync sync = new LocalSync(options, display, out, logFile);
    // Ctrl-C: stop the connector (its offsets are written), the cache and the broker cleanly.
    Thread hook = new Thread(sync::close, "akb-sync-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      sync.run();
    } finally {
      sync.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook runs and finds everything closed.
      }
    }
  }

  /** The {@code --destination}, its config and how to run it; null for a sync into a cache. */
  private SyncDestination destination() {
    if (destination == null) {
      for (String option :
          List.of(
              "--destination-config",
              "--destination-version",
              "--destination-pip-url",
              "--destination-docker-image",
              "--destination-local-executable")) {
        if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
          throw new ParameterException(spec.commandLine(), option + " needs --destination NAME");
        }
      }
      return null;
    }
    if (spec.commandLine().getParseResult().hasMatchedOption("--cache")) {
      throw new ParameterException(
          spec.commandLine(),
          "--cache and --destination both name where the records go: give one of them");
    }
    if (destinationConfig == null) {
      throw new ParameterException(
          spec.commandLine(), "--destination " + destination + " needs --destination-config");
    }
    if (cache.strategyOrNull() == WriteStrategy.REPLACE) {
      // Its destination sync mode, overwrite, would drop what the destination holds whenever its
      // run starts again (a new stream, a failure), not once per sync.
      throw new ParameterException(
          spec.commandLine(),
          "--strategy replace cannot be used with --destination; use auto (append_dedup with a"
              + " primary key, else append), merge or append");
    }
    ConnectorOptions destinationOptions =
        ConnectorOptions.defaults()
            .withVersion(destinationVersion)
            .withPipUrl(destinationPipUrl)
            .withDockerImage(destinationDockerImage)
            .withLocalExecutable(destinationLocalExecutable);
    // As akb write keeps them: a token it refreshed is the next akb write's too.
    return new SyncDestination(
        destination,
        ConfigOption.load(destination, destinationConfig),
        connector.updates.applyTo(destinationOptions, destination));
  }

  private SyncOptions options(SyncDestination target) {
    String bootstrap = System.getenv(BOOTSTRAP_ENV);
    ConnectorOptions source =
        connector.executor.toConnectorOptions().withIdleTimeout(idle.idleTimeout);
    Path updatesDir = connector.updates.explicitDirectory();
    if (updatesDir != null) {
      // The Connect task keeps the updates (see LocalSync#connectorConfig): these name its file.
      source =
          source.withConfigUpdates(
              ConfigUpdates.in(updatesDir, "connect-source-" + LocalSync.connectorName(name)));
    }
    return new SyncOptions(
        name,
        connector.config(name),
        streams.selected(),
        cache.location(),
        cache.strategyOrNull(),
        cache.fullRefresh,
        source,
        bootstrap == null || bootstrap.isBlank() ? null : bootstrap.strip(),
        workDir,
        Duration.ofSeconds(progressInterval),
        target);
  }
}
