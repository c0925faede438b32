package io.akb.cache;

/**
 * Where a cache lives, parsed from {@code duckdb:PATH} or {@code postgres:JDBC_URL} (also {@code
 * postgresql://...} URLs). The default is DuckDB at {@code ./.cache/default_cache.duckdb}.
 */
public record CacheLocation(Kind kind, String target) {
  public static final String DEFAULT = "duckdb:./.cache/default_cache.duckdb";

  /** Database kinds. */
  public enum Kind {
    DUCKDB,
    POSTGRES
  }

  /** Parses a location string; see the class comment for the forms. */
  public static CacheLocation parse(String text) {
    return CacheDialects.parseLocation(text);
  }
}
