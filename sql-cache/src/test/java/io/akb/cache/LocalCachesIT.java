package io.akb.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.ReadResult;
import io.akb.runtime.Source;
import io.akb.runtime.testkit.Faker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Airbyte.defaultCache()} and {@code Airbyte.newLocalCache(name)}, PyAirbyte's {@code
 * get_default_cache()} and {@code new_local_cache()}, with the real faker into real DuckDB files:
 * the records land, and a cache opened later gives each stream's rows with their {@code _airbyte_*}
 * fields.
 */
class LocalCachesIT {
  @TempDir Path dir;

  @Test
  void aNewLocalCacheHoldsTheReadAndGivesRowsWithTheirAirbyteFields() {
    Source source = Faker.source(50).selectStreams("users");
    try (SqlCache cache = Airbyte.newLocalCache("parity_users", dir)) {
      assertThat(cache.describe()).contains(dir.resolve("db_parity_users.duckdb").toString());
      ReadResult result = source.read(cache);
      assertThat(result.recordsRead()).containsEntry("users", 50L);
    }
    assertThat(dir.resolve("db_parity_users.duckdb")).isRegularFile();

    try (SqlCache reopened = Caches.newLocalCache("parity_users", dir)) {
      SqlCacheDataset users = reopened.dataset("users");
      assertThat(users.count()).isEqualTo(50);
      try (Stream<JsonNode> rows = users.records()) {
        List<JsonNode> all = rows.toList();
        assertThat(all).hasSize(50);
        JsonNode row = all.get(0);
        assertThat(row.get("email").asText()).contains("@");
        assertThat(UUID.fromString(row.get("_airbyte_raw_id").asText())).isNotNull();
        assertThat(Instant.parse(row.get("_airbyte_extracted_at").asText()))
            .isAfter(Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(row.get("_airbyte_meta").isObject()).isTrue();
        List<String> fields = iterable(row);
        assertThat(fields.subList(fields.size() - 3, fields.size()))
            .containsExactly("_airbyte_raw_id", "_airbyte_extracted_at", "_airbyte_meta");
      }
    }
  }

  @Test
  void theDefaultCacheIsTheAkbCommandsFile() throws Exception {
    // Relative to the working directory, as PyAirbyte's: the module folder when Maven runs tests.
    Path file = Path.of(".cache", "default_cache.duckdb");
    deleteCache(file);
    try {
      try (SqlCache cache = Airbyte.defaultCache()) {
        assertThat(cache.describe()).contains(file.toAbsolutePath().toString());
        assertThat(Faker.source(20).selectStreams("products").read(cache).recordsRead())
            .containsEntry("products", 20L);
      }
      try (SqlCache again = Caches.defaultCache()) {
        assertThat(again.streams()).containsExactly("products");
        assertThat(again.dataset("products").count()).isEqualTo(20);
      }
    } finally {
      deleteCache(file);
    }
  }

  private static List<String> iterable(JsonNode row) {
    java.util.ArrayList<String> names = new java.util.ArrayList<>();
    row.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static void deleteCache(Path file) throws Exception {
    Files.deleteIfExists(file);
    Files.deleteIfExists(Path.of(file + ".wal"));
  }
}
