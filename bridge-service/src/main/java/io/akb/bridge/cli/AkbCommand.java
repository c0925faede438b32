package io.akb.bridge.cli;

import io.akb.runtime.AkbException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code akb} command line. A plain picocli program: connector commands run without starting
 * the Quarkus service, so they start in a fraction of a second and need no Kafka.
 *
 * <p>Exit codes: 0 on success, 1 on any error. Errors are printed on stderr as one paragraph (what
 * failed, why, what to do), followed by the connector's last log lines when a connector ran; never
 * as a stack trace unless AKB itself has a bug.
 */
@Command(
    name = "akb",
    mixinStandardHelpOptions = true,
    versionProvider = AkbCommand.Version.class,
    description = "Airbyte Kafka Bridge: run Airbyte connectors from the command line.",
    subcommands = {
      ConnectorsCommand.class,
      SpecCommand.class,
      CheckCommand.class,
      DiscoverCommand.class,
      PeekCommand.class,
      SamplesCommand.class,
      SyncCommand.class,
      ReadCommand.class,
      WriteCommand.class,
      RecordsCommand.class,
      ValidateCommand.class,
      BenchmarkCommand.class,
      ServeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class AkbCommand implements Runnable {
  /** The exit code of every failure, user mistake or not. */
  public static final int FAILED = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    // `akb` alone: show what it can do.
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    // Connector output goes to stdout; AKB's own progress (a venv install) to stderr, briefly.
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    setIfAbsent("org.slf4j.simpleLogger.log.io.akb", "info");
    // The JSON-schema validator warns about keywords of Airbyte specs it does not know (order).
    setIfAbsent("org.slf4j.simpleLogger.log.com.networknt", "error");
    setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
    setIfAbsent("org.slf4j.simpleLogger.showLogName", "false");
    System.exit(commandLine().execute(args));
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  /** The command line with AKB's error handling: what {@link #main} runs, and tests too. */
  public static CommandLine commandLine() {
    CommandLine commandLine =
        new CommandLine(new AkbCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler(
        (exception, failed, parseResult) -> {
          PrintWriter err = failed.getErr();
          if (exception instanceof AkbException akb) {
            // The paragraph, then the connector's last log lines (already masked) when it ran.
            err.println("Error: " + akb.getMessage());
          } else {
            err.println("Error: AKB failed unexpectedly (a bug, please report it): " + exception);
            exception.printStackTrace(err);
          }
          err.flush();
          return FAILED;
        });
    commandLine.setParameterExceptionHandler(
        (exception, args) -> {
          CommandLine failed = exception.getCommandLine();
          PrintWriter err = failed.getErr();
          err.println("Error: " + exception.getMessage());
          err.println(
              "Run '" + failed.getCommandSpec().qualifiedName() + " --help' for its options.");
          err.flush();
          return FAILED;
        });
    return commandLine;
  }

  /** The project version, from the jar's manifest when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = AkbCommand.class.getPackage().getImplementationVersion();
      return new String[] {"akb " + (version == null ? "(development build)" : version)};
    }
  }
}
