package io.akb.bridge.cli;

import io.akb.runtime.Source;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * PyAirbyte's {@code print_samples} on the command line: a few records of each stream as a text
 * table, one short read per stream ({@link Source#printSamples(List, int, Source.OnError,
 * PrintStream)}), so a source with millions of records answers in seconds.
 */
@Command(
    name = "samples",
    description =
        "Print a few records of each stream as a table (PyAirbyte's print_samples): one short"
            + " read per stream, stopped at --limit.")
final class SamplesCommand implements Runnable {
  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "NAME", description = "Source name, e.g. source-faker.")
  String name;

  @Option(
      names = "--streams",
      split = ",",
      paramLabel = "STREAM",
      description =
          "Streams to sample, comma-separated; * for every stream. Default: every stream.")
  List<String> streams = List.of(Source.ALL_STREAMS);

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "5",
      description = "Records per stream. Default: ${DEFAULT-VALUE}.")
  int limit;

  @Option(
      names = "--on-error",
      paramLabel = "raise|ignore|log",
      defaultValue = "log",
      description =
          "A stream whose read fails: raise (fail the command), ignore or log (show"
              + " 'Error fetching sample records.' and go on). Default: ${DEFAULT-VALUE}.")
  String onError;

  @Mixin ConnectorOptionsMixin connector;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    if (limit < 1) {
      throw new ParameterException(spec.commandLine(), "--limit must be at least 1, not " + limit);
    }
    Source.OnError whenFailing = Source.OnError.fromString(onError);
    Source source = connector.source(name);
    // printSamples writes to a PrintStream; picocli's out is a PrintWriter (tests capture it).
    var bytes = new java.io.ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      source.printSamples(streams, limit, whenFailing, out);
    }
    spec.commandLine().getOut().print(bytes.toString(StandardCharsets.UTF_8));
    spec.commandLine().getOut().flush();
  }
}
