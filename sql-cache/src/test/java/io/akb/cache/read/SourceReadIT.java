package io.akb.cache.read;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.SqlCache;
import io.akb.cache.postgres.TestDatabase;
import io.akb.runtime.ReadResult;
import io.akb.runtime.Source;
import io.akb.runtime.testkit.Faker;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code source.read(cache)} with the real faker from PyPI into DuckDB and PostgreSQL, as a
 * PyAirbyte user does {@code source.read(cache)}: every record lands once with typed values, and a
 * second read resumes from the stored state instead of starting over.
 */
class SourceReadIT {
  @TempDir Path dir;

  @Test
  void readsTheFakerIntoDuckDbAndResumesIncrementally() {
    try (SqlCache cache =
        SqlCache.open(
            CacheLocation.parse("duckdb:" + dir.resolve("faker.duckdb")),
            CacheOptions.defaults())) {
      readTwice(cache);
    }
  }

  @Test
  void readsTheFakerIntoPostgres() throws Exception {
    TestDatabase database = TestDatabase.create("source_read");
    try (SqlCache cache =
        SqlCache.open(
            CacheLocation.parse("postgres:" + database.jdbcUrl()), CacheOptions.defaults())) {
      readTwice(cache);
    } finally {
      database.drop();
    }
  }

  private static void readTwice(SqlCache cache) {
    Source source = Faker.source(500).selectAllStreams();

    ReadResult first = source.read(cache);

    assertThat(first.recordsRead().get("users")).isEqualTo(500);
    assertThat(first.get("users").count()).isEqualTo(500);
    assertThat(first.get("products").count())
        .isEqualTo(first.recordsRead().get("products"))
        .isPositive();
    assertThat(first.get("purchases").count())
        .isEqualTo(first.recordsRead().get("purchases"))
        .isPositive();
    try (Stream<JsonNode> users = first.get("users").records()) {
      List<JsonNode> rows = users.collect(Collectors.toList());
      Set<Long> ids = rows.stream().map(r -> r.get("id").asLong()).collect(Collectors.toSet());
      assertThat(ids).hasSize(500);
      JsonNode user = rows.get(0);
      assertThat(user.get("email").asText()).contains("@");
      assertThat(user.get("age").isIntegralNumber()).isTrue();
      assertThat(user.get("address").isObject()).isTrue();
      assertThat(user.get("created_at").asText()).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
    }
    assertThat(first.finalState()).isNotNull();
    assertThat(cache.state(Faker.NAME)).isEqualTo(first.finalState());

    ReadResult second = source.read(cache);

    // always_updated=false: the resumed read finds nothing new, and nothing is doubled.
    assertThat(second.recordsRead().get("users")).isZero();
    assertThat(second.get("users").count()).isEqualTo(500);
  }
}
