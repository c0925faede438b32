package io.akb.cache;

import io.akb.cache.duckdb.DuckDbCache;
import io.akb.cache.postgres.PostgresCache;
import io.akb.runtime.AkbException;

/** Picks the dialect implementation for a cache location. */
final class CacheDialects {
  private CacheDialects() {}

  static CacheLocation parseLocation(String text) {
    String value = text == null ? "" : text.trim();
    if (value.startsWith("duckdb:")) {
      return new CacheLocation(CacheLocation.Kind.DUCKDB, value.substring("duckdb:".length()));
    }
    if (value.startsWith("postgres:")) {
      return new CacheLocation(CacheLocation.Kind.POSTGRES, value.substring("postgres:".length()));
    }
    if (value.startsWith("postgresql://") || value.startsWith("jdbc:postgresql:")) {
      return new CacheLocation(CacheLocation.Kind.POSTGRES, value);
    }
    throw new AkbException(
        "reading the cache location",
        "'" + text + "' is not a cache location",
        "Use duckdb:PATH (for example " + CacheLocation.DEFAULT + ") or postgres:JDBC_URL.");
  }

  static SqlCache open(CacheLocation location, CacheOptions options) {
    CacheOptions effective = options == null ? CacheOptions.defaults() : options;
    switch (location.kind()) {
      case DUCKDB:
        return DuckDbCache.open(location.target(), effective);
      case POSTGRES:
        return PostgresCache.open(location.target(), effective);
      default:
        throw new AkbException(
            "opening " + location, "unknown cache kind " + location.kind(), null);
    }
  }
}
