package io.akb.cache.duckdb;

import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.SqlCache;
import io.akb.cache.SqlCacheContractTest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.io.TempDir;

class DuckDbCacheTest extends SqlCacheContractTest {
  @TempDir Path dir;

  @Override
  protected SqlCache openCache(CacheOptions options) {
    return SqlCache.open(CacheLocation.parse("duckdb:" + dir.resolve("cache.duckdb")), options);
  }

  @Override
  protected Connection sqlConnection() throws SQLException {
    // Same process: a duplicate of the cache's own database (a second open of the file would be
    // refused).
    return ((DuckDbCache) cache).openConnection();
  }
}
