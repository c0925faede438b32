package io.akb.bridge.cli;

import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.SqlCache;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.Airbyte;
import io.akb.runtime.MessageStream;
import io.akb.runtime.ReadResult;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
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
 * {@code akb read SOURCE}: PyAirbyte's {@code source.read()}, the source straight into a SQL cache
 * without Kafka ({@link Source#read(io.akb.runtime.Cache)}), incremental from the cache's state.
 */
@Command(
    name = "read",
    description =
        "Read a source straight into a SQL cache, without Kafka (PyAirbyte's source.read())."
            + " Running it again is incremental, from the state the cache holds.")
final class ReadCommand implements Runnable {
  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "NAME", description = "Source name, e.g. source-faker.")
  String name;

  @Mixin ConfigOption config;

  @Mixin ExecutorOptions executor;

  @Option(
      names = "--streams",
      split = ",",
      paramLabel = "STREAM",
      description = "Streams to read, comma-separated. Default: every stream of the source.")
  List<String> streams = List.of();

  @Option(
      names = "--cache",
      paramLabel = "duckdb:PATH|postgres:URL",
      defaultValue = CacheLocation.DEFAULT,
      description =
          "Where the rows go: a DuckDB file, or a PostgreSQL JDBC URL"
              + " (postgres:jdbc:postgresql://host/db?user=..&password=..). Default:"
              + " ${DEFAULT-VALUE}.")
  String cache;

  @Option(
      names = "--strategy",
      paramLabel = "auto|append|merge|replace",
      description =
          "Write strategy of the cache's tables. Default: auto (merge with a primary key, append"
              + " with a cursor, else replace), or replace with --full-refresh.")
  String strategy;

  @Option(
      names = "--full-refresh",
      description =
          "Read every stream from scratch, ignoring the state in the cache. Default: off"
              + " (incremental).")
  boolean fullRefresh;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    WriteStrategy writeStrategy =
        strategy != null
            ? WriteStrategy.fromProperty(strategy)
            : fullRefresh ? WriteStrategy.REPLACE : WriteStrategy.AUTO;
    Source source = Airbyte.getSource(name, config.load(name), executor.toConnectorOptions());
    if (streams.isEmpty()) {
      source.selectAllStreams();
    } else {
      source.selectStreams(streams);
    }
    PrintWriter out = spec.commandLine().getOut();
    long started = System.nanoTime();
    try (SqlCache sqlCache =
        SqlCache.open(CacheLocation.parse(cache), new CacheOptions("", null, writeStrategy))) {
      ReadResult result;
      if (fullRefresh) {
        ConfiguredAirbyteCatalog catalog = source.configuredCatalog(source.selectedStreams(), true);
        try (MessageStream messages = source.read(catalog, null)) {
          result = sqlCache.write(source, catalog, messages);
        }
      } else {
        result = source.read(sqlCache);
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      out.printf(
          Locale.ROOT,
          "Read %s in %.1f s: %,d records from %d streams%s, strategy %s.%n",
          name,
          elapsed.toMillis() / 1000.0,
          result.totalRecordsRead(),
          result.streams().size(),
          fullRefresh ? " (full refresh)" : "",
          writeStrategy.name().toLowerCase(Locale.ROOT));
      TextTable table = new TextTable("STREAM", "RECORDS READ", "ROWS IN CACHE");
      for (String stream : result.streams()) {
        table.add(
            stream,
            String.format(Locale.ROOT, "%,d", result.recordsRead().getOrDefault(stream, 0L)),
            String.format(Locale.ROOT, "%,d", sqlCache.count(stream)));
      }
      table.print(out);
      out.println();
      out.println("Where the data is: " + sqlCache.describe() + " (one table per stream);");
      out.println(
          "  state in _airbyte_state; see the rows with: akb records "
              + (CacheLocation.parse(cache).kind() == CacheLocation.Kind.DUCKDB
                  ? cache
                  : "postgres:...")
              + " STREAM");
    }
    out.flush();
  }
}
