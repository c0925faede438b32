package io.akb.cache;

/**
 * Options of a cache: {@code tablePrefix} before every stream table ("" by default), {@code schema}
 * (PostgreSQL schema or DuckDB schema, "main" in DuckDB and "public" in PostgreSQL when null), and
 * the default write strategy.
 */
public record CacheOptions(String tablePrefix, String schema, WriteStrategy defaultStrategy) {
  public static CacheOptions defaults() {
    return new CacheOptions("", null, WriteStrategy.AUTO);
  }
}
