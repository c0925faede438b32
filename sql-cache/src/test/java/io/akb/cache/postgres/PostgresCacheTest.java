package io.akb.cache.postgres;

import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.SqlCache;
import io.akb.cache.SqlCacheContractTest;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The cache contract against the real PostgreSQL at 127.0.0.1:5432 (PG_URL overrides it). Each test
 * class gets its own database, dropped afterwards: other builds use the server at the same time.
 */
class PostgresCacheTest extends SqlCacheContractTest {
  private static TestDatabase database;

  @BeforeAll
  static void createDatabase() throws SQLException {
    database = TestDatabase.create("cache_test");
  }

  @AfterAll
  static void dropDatabase() throws SQLException {
    database.drop();
  }

  @AfterEach
  void emptyDatabase() throws SQLException {
    cache.close();
    cache = null;
    database.resetSchema();
  }

  @Override
  protected SqlCache openCache(CacheOptions options) {
    return SqlCache.open(CacheLocation.parse("postgres:" + database.jdbcUrl()), options);
  }

  @Override
  protected Connection sqlConnection() throws SQLException {
    return database.connect();
  }
}
