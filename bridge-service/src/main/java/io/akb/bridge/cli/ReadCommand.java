package io.akb.bridge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.local.ReadProgress;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.SqlCache;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.Airbyte;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.ReadResult;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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

  @Mixin ConnectorOptionsMixin connector;

  @Mixin StreamsOption streams;

  @Mixin CacheWriteOptions cache;

  @Mixin IdleTimeoutOption idle;

  @Option(
      names = "--progress-interval",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description =
          "Seconds between progress lines while the source reads. Default: ${DEFAULT-VALUE}.")
  int progressInterval;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    WriteStrategy writeStrategy = cache.effectiveStrategy();
    boolean fullRefresh = cache.fullRefresh;
    if (progressInterval < 1) {
      throw new ParameterException(
          spec.commandLine(), "--progress-interval must be at least 1, not " + progressInterval);
    }
    CacheLocation location = cache.location();
    ConnectorOptions options = connector.options(name).withIdleTimeout(idle.idleTimeout);
    Source source = Airbyte.getSource(name, connector.config(name), options);
    if (streams.selected().isEmpty()) {
      source.selectAllStreams();
    } else {
      source.selectStreams(streams.selected());
    }
    PrintWriter out = spec.commandLine().getOut();
    long started = System.nanoTime();
    try (SqlCache sqlCache = SqlCache.open(location, new CacheOptions("", null, writeStrategy))) {
      ReadResult result;
      // As Source.read(cache) does, with the progress counted on the way.
      ConfiguredAirbyteCatalog catalog =
          fullRefresh
              ? source.configuredCatalog(source.selectedStreams(), true)
              : source.configuredCatalog();
      JsonNode state = fullRefresh ? null : sqlCache.state(source.name());
      try (ReadProgress messages =
          new ReadProgress(
              source.read(catalog, state),
              name,
              options.idleTimeout(),
              out,
              Duration.ofSeconds(progressInterval))) {
        try {
          result = sqlCache.write(source, catalog, messages);
        } catch (RuntimeException e) {
          messages.finish(true);
          throw e;
        }
        messages.finish(false);
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
              + (location.kind() == CacheLocation.Kind.DUCKDB
                  ? "duckdb:" + location.target()
                  : "postgres:...")
              + " STREAM");
    }
    out.flush();
  }
}
