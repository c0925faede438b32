package io.akb.bridge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.local.LocalSync;
import io.akb.bridge.local.ProgressDisplay;
import io.akb.bridge.local.SyncOptions;
import io.akb.cache.CacheLocation;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code akb sync SOURCE}: reads an Airbyte source through Kafka into a SQL cache, on a Kafka
 * broker inside this process unless {@code KAFKA_BOOTSTRAP_SERVERS} names a cluster.
 */
@Command(
    name = "sync",
    mixinStandardHelpOptions = true,
    description = {
      "Reads an Airbyte source into Kafka topics with the Kafka Connect source connector"
          + " (standalone, in this process) and replays them into a SQL cache.",
      "Without KAFKA_BOOTSTRAP_SERVERS an embedded Kafka broker is started, its log kept in"
          + " ./.cache/kafka. Running it again is incremental."
    })
public final class SyncCommand implements Callable<Integer> {
  /** Environment variable naming a Kafka cluster to use instead of the embedded broker. */
  public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";

  @Parameters(index = "0", paramLabel = "SOURCE", description = "The source, such as source-faker.")
  String source;

  @Option(
      names = "--config",
      paramLabel = "JSON|FILE",
      defaultValue = "{}",
      description = "The source's config: JSON text or a JSON file. Default: ${DEFAULT-VALUE}.")
  String config;

  @Option(
      names = "--streams",
      split = ",",
      paramLabel = "STREAM",
      description = "Streams to read, comma-separated. Default: every stream.")
  List<String> streams = List.of();

  @Option(
      names = "--cache",
      paramLabel = "duckdb:PATH|postgres:URL",
      defaultValue = CacheLocation.DEFAULT,
      description = "Where the rows go. Default: ${DEFAULT-VALUE}.")
  String cache;

  @Option(
      names = "--strategy",
      paramLabel = "auto|append|merge|replace",
      description =
          "Write strategy of the cache's tables. Default: auto (merge with a primary key, append"
              + " with a cursor, else replace); replace with --full-refresh.")
  String strategy;

  @Option(
      names = "--full-refresh",
      description = "Read every stream from scratch, ignoring the state of earlier syncs.")
  boolean fullRefresh;

  @Option(
      names = "--docker-image",
      paramLabel = "IMAGE",
      description = "Run the source from this Docker image. Default: none.")
  String dockerImage;

  @Option(
      names = "--pip-url",
      paramLabel = "REQUIREMENT",
      description = "Install the source from this pip requirement or URL. Default: the registry's.")
  String pipUrl;

  @Option(
      names = "--local-executable",
      paramLabel = "PROGRAM",
      description = "Run this program (on PATH or a path) as the source. Default: none.")
  String localExecutable;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      defaultValue = "./.cache",
      description =
          "Where the embedded broker's log, Connect's offsets and the log file are kept."
              + " Default: ${DEFAULT-VALUE}.")
  Path workDir;

  @Option(
      names = "--progress-interval",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description =
          "Seconds between progress lines when the output is not a terminal. Default:"
              + " ${DEFAULT-VALUE}.")
  int progressInterval;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintStream out = System.out;
    try {
      SyncOptions options = options();
      io.akb.bridge.local.SyncLogFile.route(workDir.resolve("logs").resolve("akb-sync.log"));
      ProgressDisplay display =
          ProgressDisplay.forOutput(
              out, ProgressDisplay.onTerminal(), Duration.ofSeconds(progressInterval));
      LocalSync sync = new LocalSync(options, display, out);
      Thread hook = new Thread(sync::close, "akb-sync-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        sync.run();
        return 0;
      } finally {
        sync.close();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // Already shutting down: the hook runs (and finds everything closed).
        }
      }
    } catch (AkbException e) {
      System.err.println(e.getMessage());
      return 1;
    }
  }

  private SyncOptions options() {
    String bootstrap = System.getenv(BOOTSTRAP_ENV);
    return new SyncOptions(
        source,
        parseConfig(config),
        streams,
        CacheLocation.parse(cache),
        strategy == null ? null : WriteStrategy.fromProperty(strategy),
        fullRefresh,
        dockerImage,
        pipUrl,
        localExecutable,
        bootstrap == null || bootstrap.isBlank() ? null : bootstrap.trim(),
        workDir,
        Duration.ofSeconds(progressInterval));
  }

  /** {@code --config}: JSON text when it starts with '{', else a file holding JSON. */
  static JsonNode parseConfig(String text) {
    String json = text.strip();
    if (!json.startsWith("{")) {
      Path file = Path.of(json);
      try {
        json = Files.readString(file);
      } catch (IOException e) {
        throw new AkbException(
            "reading --config",
            "'" + text + "' is neither a JSON object nor a readable file (" + e.getMessage() + ")",
            "Pass the config inline, such as --config '{\"count\": 1000}', or a JSON file's path.");
      }
    }
    try {
      JsonNode node = AirbyteJson.MAPPER.readTree(json);
      if (node == null || !node.isObject()) {
        throw new IOException("not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new AkbException(
          "reading --config",
          "it is not a JSON object (" + e.getMessage() + ")",
          "Pass the config as a JSON object, such as --config '{\"count\": 1000}'.");
    }
  }

  /** Runs the command alone, until the {@code akb} command line registers it. */
  public static void main(String[] args) {
    // Before anything logs: SLF4J goes through JBoss LogManager, which wants to be JUL's manager.
    System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
    System.exit(new CommandLine(new SyncCommand()).execute(args));
  }
}
