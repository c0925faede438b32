package io.akb.bridge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.SqlCache;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code akb records CACHE STREAM}: the rows of one stream from a SQL cache as JSON lines. */
@Command(
    name = "records",
    description =
        "Print the rows of a stream from a SQL cache (what akb read or akb sync wrote) as JSON"
            + " lines, with the original field names.")
final class RecordsCommand implements Runnable {
  @Mixin HelpOption help;

  @Parameters(
      index = "0",
      paramLabel = "CACHE",
      description =
          "The cache: duckdb:PATH, postgres:JDBC_URL, or the path of a .duckdb file (such as"
              + " ./.cache/default_cache.duckdb).")
  String cache;

  @Parameters(index = "1", paramLabel = "STREAM", description = "Stream name, e.g. users.")
  String stream;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "20",
      description = "How many rows to print. Default: ${DEFAULT-VALUE}.")
  long limit;

  @Option(
      names = "--arrow",
      paramLabel = "FILE",
      description =
          "Write every row of the stream (not only --limit) to FILE as an Apache Arrow IPC file,"
              + " typed (PyArrow, pandas, Polars and DuckDB open it), instead of printing rows.")
  Path arrow;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    if (limit < 1) {
      throw new ParameterException(spec.commandLine(), "--limit must be at least 1, not " + limit);
    }
    CacheLocation location = CacheArgument.existing(cache);
    PrintWriter out = spec.commandLine().getOut();
    try (SqlCache sqlCache = SqlCache.open(location, CacheOptions.defaults())) {
      List<String> streams = sqlCache.streams();
      if (!streams.contains(stream)) {
        throw new AkbException(
            "reading stream " + stream + " from " + sqlCache.describe(),
            "the cache has no stream of that name",
            streams.isEmpty()
                ? "The cache holds no streams yet: run akb read or akb sync first."
                : "Streams in the cache: " + String.join(", ", streams) + ".");
      }
      if (arrow != null) {
        long rows = sqlCache.dataset(stream).toArrowFile(arrow);
        out.printf(
            Locale.ROOT,
            "Wrote %,d rows of %s to %s (an Arrow IPC file; in Python:"
                + " pyarrow.ipc.open_file(path).read_all())%n",
            rows,
            stream,
            arrow);
      } else {
        try (Stream<JsonNode> rows = sqlCache.rows(stream)) {
          rows.limit(limit).forEach(row -> out.println(AirbyteJson.toJson(row)));
        }
      }
    }
    out.flush();
  }
}
