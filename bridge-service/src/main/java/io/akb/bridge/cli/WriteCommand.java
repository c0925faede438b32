package io.akb.bridge.cli;

import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.SqlCache;
import io.akb.cache.jdbc.JdbcSqlCache;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.Destination;
import io.akb.runtime.WriteResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
 * <p>{@code --from} names what to write. Each form has its own method beside {@link
 * #writeFromCache}; the form is told by the value's prefix ({@code duckdb:}, {@code postgres:}, a
 * bare path for a cache).
 */
@Command(
    name = "write",
    description =
        "Write the streams of a SQL cache into an Airbyte destination (PyAirbyte's"
            + " destination.write(cache)). Running it again sends only what the destination has"
            + " not confirmed yet.")
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
      paramLabel = "CACHE",
      description =
          "What to write: a SQL cache that akb read or akb sync filled, as duckdb:PATH,"
              + " postgres:JDBC_URL, or the path of a .duckdb file.")
  String from;

  @Mixin ConfigOption config;

  @Mixin ExecutorOptions executor;

  @Option(
      names = "--streams",
      split = ",",
      paramLabel = "STREAM",
      description = "Streams to write, comma-separated. Default: every stream of the cache.")
  List<String> streams = List.of();

  @Spec CommandSpec spec;

  @Override
  public void run() {
    if (from.strip().startsWith("topics:")) {
      throw new AkbException(
          "writing " + from + " to " + name,
          "this build of akb write reads SQL caches only",
          "Replay the topics into a cache with akb sync, then write with --from duckdb:PATH.");
    }
    // Checked before the destination installs (a minute for a new venv): a typo fails at once.
    CacheLocation location = CacheArgument.existing(from);
    Destination destination =
        Airbyte.getDestination(name, config.load(name), executor.toConnectorOptions());
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
}
