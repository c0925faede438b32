package io.akb.bridge.cli;

import io.akb.cache.CacheLocation;
import io.akb.cache.WriteStrategy;
import picocli.CommandLine.Option;

/**
 * Where and how a read lands in a SQL cache: {@code --cache}, {@code --strategy}, {@code
 * --full-refresh}.
 */
final class CacheWriteOptions {
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
          "Read every stream from scratch, forgetting the state of earlier reads. Default: off"
              + " (incremental).")
  boolean fullRefresh;

  CacheLocation location() {
    return CacheLocation.parse(cache);
  }

  /** The strategy given, or null for the default (see {@link #effectiveStrategy()}). */
  WriteStrategy strategyOrNull() {
    return strategy == null ? null : WriteStrategy.fromProperty(strategy);
  }

  /** The strategy given, else replace for a full refresh, else auto. */
  WriteStrategy effectiveStrategy() {
    WriteStrategy given = strategyOrNull();
    return given != null ? given : fullRefresh ? WriteStrategy.REPLACE : WriteStrategy.AUTO;
  }
}
