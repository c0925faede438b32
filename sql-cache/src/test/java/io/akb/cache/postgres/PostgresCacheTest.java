package io.akb.cache.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.CacheTransaction;
import io.akb.cache.SqlCache;
import io.akb.cache.SqlCacheContractTest;
import io.akb.cache.WriteStrategy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

  /** Whether the connection a cache opens is encrypted, as PostgreSQL itself reports it. */
  private static boolean encrypted(String url) throws SQLException {
    try (PostgresCache cache = PostgresCache.open(url, CacheOptions.defaults());
        Connection connection = cache.openConnection();
        java.sql.Statement statement = connection.createStatement();
        java.sql.ResultSet ssl =
            statement.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      return ssl.next() && ssl.getBoolean(1);
    }
  }

  @org.junit.jupiter.api.Test
  void aLoopbackConnectionIsNotEncryptedUnlessTheUrlAsksForIt() throws SQLException {
    assertThat(encrypted(database.jdbcUrl())).as("loopback, no sslmode").isFalse();
    boolean serverHasTls;
    try (Connection connection = java.sql.DriverManager.getConnection(database.jdbcUrl());
        java.sql.ResultSet ssl = connection.createStatement().executeQuery("SHOW ssl")) {
      serverHasTls = ssl.next() && ssl.getString(1).equals("on");
    }
    if (serverHasTls) {
      String require = database.jdbcUrl() + (database.jdbcUrl().contains("?") ? "&" : "?");
      assertThat(encrypted(require + "sslmode=require")).as("sslmode=require kept").isTrue();
    }
    assertThat(PostgresCache.isLoopback("jdbc:postgresql://127.0.0.1:5432/db")).isTrue();
    assertThat(PostgresCache.isLoopback("jdbc:postgresql://localhost/db?user=u")).isTrue();
    assertThat(PostgresCache.isLoopback("jdbc:postgresql://[::1]:5432/db")).isTrue();
    assertThat(PostgresCache.isLoopback("jdbc:postgresql://127.0.0.1,db.example.com/db")).isFalse();
    assertThat(PostgresCache.isLoopback("jdbc:postgresql://db.example.com:5432/db")).isFalse();
  }

  @ParameterizedTest
  @EnumSource(
      value = WriteStrategy.class,
      names = {"APPEND", "MERGE"})
  void aNulCharacterIsDroppedBecausePostgresRefusesItAndTheRowSaysSo(WriteStrategy strategy) {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream(
              "notes",
              "{'properties': {'id': {'type': 'integer'}, 'text': {'type': 'string'},"
                  + " 'doc': {'type': 'object'}}}",
              "id",
              "incremental"),
          strategy);
      tx.write(
          SOURCE,
          "notes",
          List.of(
              record("r1", "s1", "{'id': 1, 'text': 'a\\u0000b', 'doc': {'k': 'c\\u0000d'}}"),
              // A backslash followed by the text u0000 is no NUL: kept as it is, no change.
              record("r2", "s1", "{'id': 2, 'text': 'a\\\\u0000b', 'doc': {'k': 'c\\\\u0000d'}}")));
      tx.commit();
    }
    List<JsonNode> rows = rowsOf("notes");
    JsonNode row = rows.get(0);
    assertThat(row.get("text").asText()).isEqualTo("ab");
    assertThat(row.get("doc")).isEqualTo(json("{'k': 'cd'}"));
    assertThat(row.get("_airbyte_meta").get("changes"))
        .isEqualTo(
            json(
                "[{'field': 'text', 'change': 'TRUNCATED', 'reason': 'DESTINATION_SERIALIZATION_ERROR'},"
                    + " {'field': 'doc', 'change': 'TRUNCATED', 'reason': 'DESTINATION_SERIALIZATION_ERROR'}]"));
    JsonNode kept = rows.get(1);
    assertThat(kept.get("text").asText()).isEqualTo("a\\u0000b");
    assertThat(kept.get("doc").get("k").asText()).isEqualTo("c\\u0000d");
    assertThat(kept.get("_airbyte_meta").get("changes")).isEmpty();
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
