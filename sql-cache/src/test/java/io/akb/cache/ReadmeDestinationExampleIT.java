package io.akb.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.Destination;
import io.akb.runtime.ReadResult;
import io.akb.runtime.Source;
import io.akb.runtime.WriteResult;
import io.akb.runtime.testkit.Ailake;
import io.akb.runtime.testkit.Faker;
import io.akb.runtime.testkit.ReadmeBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's destination example runs as written: the lines between the markers below are the
 * README's code block (the test fails when the two differ), run with the real destination-ailake
 * and source-faker at the registry's versions, given the {@code config} (an ailake lake in a
 * temporary folder) and the {@code source} (the faker's users) the block leaves to its reader. Its
 * cache, {@code ./cache.duckdb}, is in the module's folder, where the test runs: it is removed
 * before and after, so each run starts with an empty cache.
 */
class ReadmeDestinationExampleIT {
  private static final List<Path> CACHE_FILES =
      List.of(Path.of("cache.duckdb"), Path.of("cache.duckdb.wal"));

  @TempDir Path dir;

  @Test
  void theReadmesDestinationExampleRunsAsWritten() throws Exception {
    JsonNode config = Ailake.config(dir);
    Source source = Faker.source(10).selectStreams("users");
    deleteCache();
    try {
      // spotless:off
      // README:begin
      Destination lake = Airbyte.getDestination("destination-ailake", config, ConnectorOptions.defaults());
      lake.check();
      WriteResult fromSource = lake.write(source);            // PyAirbyte's destination.write(source)
      try (SqlCache cache = SqlCache.open(CacheLocation.parse("duckdb:./cache.duckdb"), CacheOptions.defaults())) {
        ReadResult read = source.read(cache);
        WriteResult fromRead = lake.write(read);              // destination.write(read_result)
        WriteResult fromCache = lake.write(cache, List.of("users")); // destination.write(cache); List.of() = every stream
      }
      // README:end
      // spotless:on

      assertThat(fromSource.recordsWritten()).isEqualTo(10);
      assertThat(fromSource.recordsConfirmed()).isEqualTo(10);
      // The lake holds the users twice: from the source, then from the cache; the last write
      // found nothing new in the cache and sent nothing.
      List<Long> once = LongStream.rangeClosed(1, 10).boxed().toList();
      assertThat(Ailake.ids(dir, "users"))
          .hasSize(20)
          .containsExactlyInAnyOrderElementsOf(
              Stream.concat(once.stream(), once.stream()).toList());
      try (SqlCache cache =
          SqlCache.open(CacheLocation.parse("duckdb:./cache.duckdb"), CacheOptions.defaults())) {
        assertThat(cache.count("users")).isEqualTo(10);
        assertThat(lake.write(cache, List.of("users")).recordsWritten()).isZero();
      }
    } finally {
      deleteCache();
    }
    ReadmeBlock.assertInReadme(ReadmeDestinationExampleIT.class);
  }

  private static void deleteCache() throws Exception {
    for (Path file : CACHE_FILES) {
      Files.deleteIfExists(file);
    }
  }
}
