package io.akb.bridge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.PrintWriter;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Prints the first records of one stream. The connector is stopped as soon as enough records came,
 * so peeking at a huge stream is quick.
 */
@Command(
    name = "peek",
    description =
        "Print the first records of a stream as JSON lines (the records' data), then stop the"
            + " connector without waiting for the rest of the stream.")
final class PeekCommand implements Runnable {
  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "NAME", description = "Source name, e.g. source-faker.")
  String name;

  @Parameters(index = "1", paramLabel = "STREAM", description = "Stream name, e.g. users.")
  String stream;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "10",
      description = "How many records to print. Default: ${DEFAULT-VALUE}.")
  long limit;

  @Mixin ConnectorOptionsMixin connector;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    if (limit < 1) {
      throw new ParameterException(spec.commandLine(), "--limit must be at least 1, not " + limit);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Stream<JsonNode> records = connector.source(name).getRecords(stream, limit)) {
      records.forEach(
          record -> {
            out.println(AirbyteJson.toJson(record));
            // Each line as it comes: a pipe reader (head, jq) sees records while the source runs.
            out.flush();
          });
    }
  }
}
