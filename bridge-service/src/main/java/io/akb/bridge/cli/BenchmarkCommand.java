package io.akb.bridge.cli;

import io.akb.runtime.MessageStream;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteMessageReader;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code akb benchmark SOURCE}: how fast a source's records reach AKB, and how much of that time is
 * AKB's own.
 *
 * <p>Pass 1 runs the connector ({@code source.read(catalog, null)}, full refresh) and counts
 * records and their bytes (each message's JSON line as AKB writes it back, close to the connector's
 * own line); its time includes the connector's start. Pass 2 replays the captured lines from
 * memory, without the connector: once only splitting them into lines, once through {@link
 * AirbyteMessageReader} (splitting and parsing, what AKB does with a connector's stdout). The
 * difference of pass 1 and pass 2 is the connector's time; pass 2 is AKB's overhead.
 */
@Command(
    name = "benchmark",
    description = {
      "Measure a source's throughput (records/s, MB/s) as AKB reads it (full refresh, no cache),"
          + " then AKB's own share: the captured lines replayed from memory through AKB's line"
          + " splitting alone and through its message reader (splitting and parsing).",
      "MB are the records' JSON lines as AKB writes them back, close to the connector's stdout."
    })
final class BenchmarkCommand implements Runnable {
  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "NAME", description = "Source name, e.g. source-faker.")
  String name;

  @Mixin ConnectorOptionsMixin connector;

  @Mixin StreamsOption streams;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "100000",
      description =
          "Stop the connector after N records (all streams together). Default: ${DEFAULT-VALUE}.")
  long limit;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    if (limit < 1) {
      throw new ParameterException(spec.commandLine(), "--limit must be at least 1, not " + limit);
    }
    Source source = connector.source(name);
    List<String> selected =
        streams.selected().isEmpty() ? source.availableStreams() : streams.selected();
    ConfiguredAirbyteCatalog catalog = source.configuredCatalog(selected, true);

    // Pass 1: the connector through AKB. Serializing for the byte count is timed and taken out.
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    long records = 0;
    long serializeNanos = 0;
    long started = System.nanoTime();
    long firstRecord = 0;
    try (MessageStream messages = source.read(catalog, null)) {
      while (records < limit && messages.hasNext()) {
        AirbyteMessage message = messages.next();
        if (message.type() != AirbyteMessage.Type.RECORD) {
          continue;
        }
        long before = System.nanoTime();
        if (records == 0) {
          firstRecord = before;
        }
        lines.writeBytes(AirbyteJson.toJson(message).getBytes(StandardCharsets.UTF_8));
        lines.write('\n');
        records++;
        serializeNanos += System.nanoTime() - before;
      }
    }
    long ended = System.nanoTime();
    long total = ended - started - serializeNanos;
    long afterFirst = records == 0 ? 0 : Math.max(1, ended - firstRecord - serializeNanos);
    byte[] bytes = lines.toByteArray();

    // Pass 2: the same lines from memory, without the connector.
    long splitNanos = timeSplitting(bytes);
    long readerNanos = timeReader(bytes);

    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        Locale.ROOT,
        "Benchmark of %s (%s): %,d records, %.2f MB, streams %s.%n",
        name,
        source.executor().describe(),
        records,
        bytes.length / 1e6,
        String.join(", ", selected));
    TextTable table = new TextTable("MEASURED", "TIME", "RECORDS/S", "MB/S");
    row(table, "connector through AKB, with its start", total, records, bytes.length);
    row(table, "connector through AKB, from its first record", afterFirst, records, bytes.length);
    row(table, "AKB line splitting alone (from memory)", splitNanos, records, bytes.length);
    row(table, "AKB message reader alone (split + parse)", readerNanos, records, bytes.length);
    table.print(out);
    out.printf(
        Locale.ROOT,
        "AKB's overhead: %.1f%% of the time from the first record (%.1f%% of the whole run); the"
            + " rest is the connector producing its output.%n",
        afterFirst == 0 ? 0.0 : 100.0 * readerNanos / afterFirst,
        total == 0 ? 0.0 : 100.0 * readerNanos / total);
    out.flush();
  }

  private static void row(TextTable table, String what, long nanos, long records, long bytes) {
    double seconds = Math.max(nanos, 1) / 1e9;
    table.add(
        what,
        String.format(Locale.ROOT, "%.3f s", seconds),
        String.format(Locale.ROOT, "%,.0f", records / seconds),
        String.format(Locale.ROOT, "%.2f", bytes / 1e6 / seconds));
  }

  /** Time to find every line end: the floor of any line reader. */
  private static long timeSplitting(byte[] bytes) {
    long started = System.nanoTime();
    long lineCount = 0;
    for (byte b : bytes) {
      if (b == '\n') {
        lineCount++;
      }
    }
    long nanos = System.nanoTime() - started;
    if (lineCount < 0) {
      throw new IllegalStateException(); // keeps the loop from being optimized away
    }
    return nanos;
  }

  /** Time for AKB's reader of a connector's stdout to split and parse every line. */
  private static long timeReader(byte[] bytes) {
    long started = System.nanoTime();
    try (AirbyteMessageReader reader = new AirbyteMessageReader(new ByteArrayInputStream(bytes))) {
      while (reader.next() != null) {
        // Parsing is the work measured.
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return System.nanoTime() - started;
  }
}
