package io.akb.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.cache.postgres.TestDatabase;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.Destination;
import io.akb.runtime.ReadResult;
import io.akb.runtime.Source;
import io.akb.runtime.WriteResult;
import io.akb.runtime.destination.TestDestinations;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.testkit.Ailake;
import io.akb.runtime.testkit.Faker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PyAirbyte's {@code destination.write(read_result | cache)}: the real faker read into a real SQL
 * cache, then written from the cache into real destinations (ailake 0.1.16 from PyPI, the CDK
 * JSON-lines test destination), incrementally: a second write sends only what is new in the cache.
 */
class DestinationFromCacheIT {
  @TempDir Path dir;

  static Source fakerUsers(int count) {
    return Faker.source(count).selectStreams(List.of("users"));
  }

  /**
   * The faker generating users 1..count again with a newer {@code updated_at} (the faker adds no
   * new users to an incremental read): the cache merges them, so exactly these rows change.
   */
  static Source fakerUpdatingUsers(int count) {
    return Airbyte.getSource(
            Faker.NAME, Faker.config(count).put("always_updated", true), Faker.options())
        .selectStreams(List.of("users"));
  }

  /** {@code 1..20} followed by {@code 1..5}, sorted: what an appending destination holds. */
  static List<Long> twentyThenFiveUpdated() {
    List<Long> ids = new ArrayList<>(range(1, 20));
    ids.addAll(range(1, 5));
    ids.sort(null);
    return ids;
  }

  SqlCache duckDb() {
    return SqlCache.open(
        CacheLocation.parse("duckdb:" + dir.resolve("cache.duckdb")), CacheOptions.defaults());
  }

  static List<Long> lines(Path file) throws Exception {
    List<Long> ids = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      ids.add(AirbyteJson.parse(line).get("data").get("id").asLong());
    }
    ids.sort(null);
    return ids;
  }

  static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  @Test
  void duckDbCacheToAilakeSendsOnlyWhatIsNewOnEachWrite() {
    Path lakeDir = dir.resolve("ailake");
    Destination ailake = Ailake.destination(lakeDir);
    try (SqlCache cache = duckDb()) {
      ReadResult read = fakerUsers(20).read(cache);

      WriteResult first = ailake.write(read);

      assertThat(first.recordsWritten()).isEqualTo(20);
      assertThat(first.recordsConfirmed()).isEqualTo(20);
      assertThat(first.writtenPerStream()).containsExactly(java.util.Map.entry("users", 20L));
      assertThat(first.confirmedPerStream()).containsExactly(java.util.Map.entry("users", 20L));
      assertThat(Ailake.ids(lakeDir, "users")).isEqualTo(range(1, 20));

      // Nothing new in the cache: the destination does not even run.
      WriteResult second = ailake.write(cache);
      assertThat(second.recordsWritten()).isZero();
      assertThat(Ailake.ids(lakeDir, "users")).isEqualTo(range(1, 20));

      // A read updates users 1..5 in the cache (20 rows there): only these 5 are sent.
      fakerUpdatingUsers(5).read(cache);
      assertThat(cache.count("users")).isEqualTo(20);
      WriteResult third = ailake.write(cache);
      assertThat(third.recordsWritten()).isEqualTo(5);
      assertThat(third.recordsConfirmed()).isEqualTo(5);
      // ailake appends: the updated users are there twice, as in the source's history.
      assertThat(Ailake.ids(lakeDir, "users")).isEqualTo(twentyThenFiveUpdated());
    }

    // Another process: the positions stored in the cache say ailake has everything.
    try (SqlCache reopened = duckDb()) {
      assertThat(Ailake.destination(lakeDir).write(reopened).recordsWritten()).isZero();
    }
  }

  @Test
  void duckDbCacheToJsonLinesWithTheCatalogTheCacheKeptAndStoredPositions() throws Exception {
    Path out = dir.resolve("jsonl");
    Destination jsonLines =
        TestDestinations.jsonLines(AirbyteJson.parse("{\"directory\":\"" + out + "\"}"));
    try (SqlCache cache = duckDb()) {
      fakerUsers(20).read(cache);
      ConfiguredAirbyteStream users = cache.configuredStream("users");
      assertThat(users.primaryKey()).containsExactly(List.of("id"));
      assertThat(users.cursorField()).containsExactly("updated_at");
      assertThat(users.destinationSyncMode()).isEqualTo(DestinationSyncMode.APPEND_DEDUP);
      assertThat(users.stream().jsonSchema().path("properties").has("address")).isTrue();

      WriteResult first = jsonLines.write(cache, List.of("users"));
      assertThat(first.recordsConfirmed()).isEqualTo(20);
      assertThat(lines(out.resolve("users.jsonl"))).isEqualTo(range(1, 20));
      // Objects travel as objects: the record is the source's, not the cache's columns.
      String firstLine = Files.readAllLines(out.resolve("users.jsonl")).get(0);
      assertThat(AirbyteJson.parse(firstLine).get("data").get("address").isObject()).isTrue();
      assertThat(AirbyteJson.parse(firstLine).get("data").has("_airbyte_raw_id")).isFalse();

      // A new Destination object continues from the positions the cache stored for it.
      fakerUpdatingUsers(5).read(cache);
      Destination restarted =
          TestDestinations.jsonLines(AirbyteJson.parse("{\"directory\":\"" + out + "\"}"));
      assertThat(cache.destinationPositions(restarted.positionsKey()))
          .extracting(AirbyteJson::toJson)
          .isEqualTo(
              jsonLines.confirmedStates(cache.describe()).stream()
                  .map(AirbyteJson::toJson)
                  .toList());
      WriteResult second = restarted.write(cache);
      assertThat(second.recordsWritten()).isEqualTo(5);
      assertThat(lines(out.resolve("users.jsonl"))).isEqualTo(twentyThenFiveUpdated());

      // Restored positions win over stored ones: none restored, everything is sent again.
      restarted.restoreConfirmedStates(cache.describe(), List.of());
      assertThat(restarted.write(cache).recordsWritten()).isEqualTo(20);

      assertThatThrownBy(() -> restarted.write(cache, List.of("customers")))
          .isInstanceOf(AkbException.class)
          .hasMessageContaining("no stream named customers")
          .hasMessageContaining("users");
    }
  }

  @Test
  void postgresCacheToJsonLines() throws Exception {
    Path out = dir.resolve("jsonl");
    Destination jsonLines =
        TestDestinations.jsonLines(AirbyteJson.parse("{\"directory\":\"" + out + "\"}"));
    TestDatabase database = TestDatabase.create("destination_from_cache");
    try (SqlCache cache =
        SqlCache.open(
            CacheLocation.parse("postgres:" + database.jdbcUrl()), CacheOptions.defaults())) {
      ReadResult read = fakerUsers(20).read(cache);

      assertThat(jsonLines.write(read).recordsConfirmed()).isEqualTo(20);
      assertThat(jsonLines.write(cache).recordsWritten()).isZero();
      fakerUpdatingUsers(5).read(cache);
      assertThat(jsonLines.write(cache).recordsWritten()).isEqualTo(5);

      assertThat(lines(out.resolve("users.jsonl"))).isEqualTo(twentyThenFiveUpdated());
    } finally {
      database.drop();
    }
  }
}
