package io.akb.bridge.cli;

import io.akb.bridge.local.LocalSync;
import io.akb.bridge.local.ProgressDisplay;
import io.akb.bridge.local.SyncLogFile;
import io.akb.bridge.local.SyncOptions;
import io.akb.runtime.Airbyte;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.control.ConfigUpdates;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code akb sync SOURCE}: reads an Airbyte source through Kafka into a SQL cache (see {@link
 * LocalSync}), on a Kafka broker inside this process unless {@code KAFKA_BOOTSTRAP_SERVERS} names a
 * cluster. Progress goes to stdout (a live table on a terminal, plain lines otherwise), every log
 * line to a file of the run's own in {@code <work dir>/logs/} (see {@link SyncLogFile}).
 */
@Command(
    name = "sync",
    description = {
      "Read a source into Kafka topics with the Kafka Connect source connector (standalone, in"
          + " this process) and replay the topics into a SQL cache. Running it again is"
          + " incremental.",
      "Kafka: the cluster in $KAFKA_BOOTSTRAP_SERVERS, else a broker embedded in this process"
          + " (its log kept in <work dir>/kafka, listening on 127.0.0.1 only)."
    })
final class SyncCommand implements Runnable {
  /** Environment variable naming a Kafka cluster to use instead of the embedded broker. */
  static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";

  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "NAME", description = "Source name, e.g. source-faker.")
  String name;

  @Mixin ConfigOption config;

  @Mixin ExecutorOptions executor;

  @Mixin ConfigUpdatesOption updates;

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

  @Spec CommandSpec spec;

  @Override
  public void run() {
    if (progressInterval < 1) {
      throw new ParameterException(
          spec.commandLine(), "--progress-interval must be at least 1, not " + progressInterval);
    }
    SyncOptions options = options();
    // First: routing the log fixes where every logger of this JVM writes.
    Path logFile = SyncLogFile.route(options.workDir().resolve("logs"));
    // The config is checked against the connector's spec before anything starts: a wrong config is
    // reported in seconds, naming each bad field, not after the broker and Connect are up.
    Airbyte.getSource(options.sourceName(), options.config(), options.connector());
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

  private SyncOptions options() {
    String bootstrap = System.getenv(BOOTSTRAP_ENV);
    ConnectorOptions source = executor.toConnectorOptions().withIdleTimeout(idle.idleTimeout);
    Path updatesDir = updates.explicitDirectory();
    if (updatesDir != null) {
      // The Connect task keeps the updates (see LocalSync#connectorConfig): these name its file.
      source =
          source.withConfigUpdates(
              ConfigUpdates.in(updatesDir, "connect-source-" + LocalSync.connectorName(name)));
    }
    return new SyncOptions(
        name,
        config.load(name),
        streams.streams,
        cache.location(),
        cache.strategyOrNull(),
        cache.fullRefresh,
        source,
        bootstrap == null || bootstrap.isBlank() ? null : bootstrap.strip(),
        workDir,
        Duration.ofSeconds(progressInterval));
  }
}
