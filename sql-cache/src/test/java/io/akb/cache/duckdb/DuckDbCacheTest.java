package io.akb.cache.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.CacheTransaction;
import io.akb.cache.SqlCache;
import io.akb.cache.SqlCacheContractTest;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.AkbException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
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

  @Test
  void tenThousandFieldsFailClearlyAtTheDefaultMemoryLimitAndWriteNothing() {
    // The record of 10,000 fields that once grew akb read and akb sync to 15 GB: with DuckDB's
    // memory bounded (256MB by default) it fails at once, naming the setting that makes room.
    StringBuilder data = new StringBuilder("{'id': 1");
    for (int i = 0; i < 10_000; i++) {
      data.append(", 'field_").append(i).append("': ").append(i);
    }
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream("wide", "{'properties': {'id': {'type': 'integer'}}}", "id", "incremental"),
          WriteStrategy.APPEND);
      tx.commit();
    }
    try (CacheTransaction tx = cache.begin()) {
      assertThatThrownBy(() -> tx.write(SOURCE, "wide", List.of(record("r1", "s1", data + "}"))))
          .isInstanceOf(AkbException.class)
          .hasMessageContaining("DuckDB's memory limit is too small for this batch")
          .hasMessageContaining("AKB_DUCKDB_MEMORY_LIMIT=2GB");
    }
    assertThat(cache.count("wide")).as("nothing partial visible").isZero();
  }

  @Test
  void theCachesDuckDbHasABoundedMemoryLimitNotMostOfTheMachine() throws Exception {
    try (Connection connection = sqlConnection();
        Statement statement = connection.createStatement();
        ResultSet limit = statement.executeQuery("SELECT current_setting('memory_limit')")) {
      limit.next();
      // DuckDB prints 256MB (its default would be 80% of RAM) as 244.1 MiB.
      assertThat(limit.getString(1)).isEqualTo("244.1 MiB");
    }
  }

  @Test
  void theCachesDuckDbFoldsItsWalIntoTheFileEvery512MegabytesNot16() throws Exception {
    try (Connection connection = sqlConnection();
        Statement statement = connection.createStatement();
        ResultSet threshold =
            statement.executeQuery("SELECT current_setting('checkpoint_threshold')")) {
      threshold.next();
      assertThat(threshold.getString(1)).isEqualTo("488.2 MiB");
    }
  }

  @Test
  void aJsonColumnHoldsTheSourcesOwnText() throws Exception {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream("docs", "{'properties': {'doc': {'type': 'object'}}}", null, "incremental"),
          WriteStrategy.APPEND);
      tx.write(
          SOURCE,
          "docs",
          List.of(
              record(
                  "r1",
                  "s1",
                  "{'doc': {'big': 1e10, 'round': 100.0, 'zero': 0.0, 'small': 0.0000001}}")));
      tx.commit();
    }
    try (Connection connection = sqlConnection();
        Statement statement = connection.createStatement();
        ResultSet doc = statement.executeQuery("SELECT CAST(doc AS VARCHAR) FROM docs")) {
      doc.next();
      assertThat(doc.getString(1))
          .isEqualTo("{\"big\":1e10,\"round\":100.0,\"zero\":0.0,\"small\":0.0000001}");
    }
  }
}
