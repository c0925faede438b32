package io.akb.bridge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.MessageStream;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code akb validate SOURCE}, PyAirbyte's {@code pyab validate}: spec, check (the config against
 * the spec, then the connector's own check), discover, and a short read of every stream, each step
 * timed. The first failing step ends the run; the later ones are reported as skipped.
 */
@Command(
    name = "validate",
    description =
        "Validate a source (like pyab validate): spec, check, discover, and a short read of every"
            + " stream. Prints each step with OK or FAILED and its time; exit code 1 if a step"
            + " failed.")
final class ValidateCommand implements Runnable {
  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "NAME", description = "Source name, e.g. source-faker.")
  String name;

  @Mixin ConnectorOptionsMixin connector;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "10",
      description = "Records to read per stream in the read step. Default: ${DEFAULT-VALUE}.")
  int limit;

  @Spec CommandSpec spec;

  private final TextTable report = new TextTable("STEP", "RESULT", "TIME", "DETAIL");
  private AkbException failure;

  @Override
  public void run() {
    if (limit < 1) {
      throw new ParameterException(spec.commandLine(), "--limit must be at least 1, not " + limit);
    }
    JsonNode noConfig = null;
    Source source = Airbyte.getSource(name, noConfig, connector.options(name));
    step(
        "spec",
        () ->
            source.configSpec().path("properties").size()
                + " config properties ("
                + source.executor().describe()
                + ")");
    step(
        "check",
        () -> {
          source.setConfig(connector.config(name));
          source.check();
          return "check succeeded";
        });
    step(
        "discover",
        () -> {
          List<String> streams = source.availableStreams();
          return streams.size() + " streams: " + String.join(", ", streams);
        });
    step(
        "read",
        () -> {
          Map<String, Long> counts = shortRead(source);
          StringBuilder detail = new StringBuilder();
          counts.forEach(
              (stream, count) ->
                  detail
                      .append(detail.length() == 0 ? "" : ", ")
                      .append(stream)
                      .append(" ")
                      .append(count));
          return "records per stream (at most " + limit + "): " + detail;
        });
    PrintWriter out = spec.commandLine().getOut();
    out.println("Validation of " + name + ":");
    report.print(out);
    out.flush();
    if (failure != null) {
      throw failure;
    }
  }

  private void step(String step, Supplier<String> action) {
    if (failure != null) {
      report.add(step, "SKIPPED", "-", "an earlier step failed");
      return;
    }
    long started = System.nanoTime();
    try {
      String detail = action.get();
      report.add(step, "OK", seconds(started), detail);
    } catch (AkbException e) {
      failure = e;
      report.add(step, "FAILED", seconds(started), "see the error below");
    }
  }

  /**
   * One full-refresh read of every stream, stopped once each has {@code limit} records: one
   * connector start, where PyAirbyte's samples start one per stream.
   */
  private Map<String, Long> shortRead(Source source) {
    List<String> streams = source.availableStreams();
    Map<String, Long> counts = new LinkedHashMap<>();
    streams.forEach(stream -> counts.put(stream, 0L));
    ConfiguredAirbyteCatalog catalog = source.configuredCatalog(streams, true);
    try (MessageStream messages = source.read(catalog, null)) {
      long full = 0;
      while (full < streams.size() && messages.hasNext()) {
        AirbyteMessage message = messages.next();
        if (message.type() == AirbyteMessage.Type.RECORD) {
          String stream = message.record().stream();
          long count = counts.getOrDefault(stream, 0L);
          if (count < limit) {
            counts.put(stream, count + 1);
            if (count + 1 == limit) {
              full++;
            }
          }
        }
      }
    }
    return counts;
  }

  private static String seconds(long startedNanos) {
    return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startedNanos) / 1e9);
  }
}
