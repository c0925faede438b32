package io.akb.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.ReadResult;
import io.akb.runtime.Source;
import io.akb.runtime.secret.SecretResolver;
import io.akb.runtime.secret.SecretSources;
import io.akb.runtime.secret.SecretString;
import io.akb.runtime.testkit.Faker;
import io.akb.runtime.testkit.ReadmeBlock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's example of a read into a local cache and of a secret manager runs as written: the
 * lines between the markers below are the README's code block (the test fails when the two differ),
 * run with the real source-faker as the {@code source} the block leaves to its reader. {@code
 * Airbyte.newLocalCache("shop")} makes {@code ./.cache/shop/} in the module's folder, where the
 * test runs: it is removed before and after, so each run reads into an empty cache.
 */
class ReadmeCacheExampleIT {
  private static final Path SHOP_CACHE = Path.of(".cache", "shop");

  @Test
  void theReadmesCacheAndSecretManagerExampleRunsAsWritten() throws Exception {
    Source source = Faker.source(10);
    delete(SHOP_CACHE);
    try {
      // spotless:off
      // README:begin
      try (SqlCache cache = Airbyte.newLocalCache("shop")) {    // or Airbyte.defaultCache()
        ReadResult result = source.selectStreams("*").read(cache);
      }
      Map<String, String> vault = Map.of("SHOP_API_KEY", "shpat_from_the_vault"); // your vault's client instead
      Airbyte.registerSecretManager(name -> Optional.ofNullable(vault.get(name)).map(SecretString::new));
      JsonNode config = Airbyte.parseConfig("source-shop", "{\"api_key\": \"secret://SHOP_API_KEY\"}");
      // README:end
      // spotless:on

      // The cache, opened again as a user would, holds every stream of the faker.
      try (SqlCache cache = Airbyte.newLocalCache("shop")) {
        assertThat(SHOP_CACHE.resolve("db_shop.duckdb")).isRegularFile();
        assertThat(cache.streams()).containsExactlyInAnyOrderElementsOf(Faker.STREAMS);
        assertThat(cache.count("users")).isEqualTo(10);
      }
      // The reference resolves through the registered manager, as when a connector runs.
      assertThat(SecretResolver.defaults().resolve(config).config().get("api_key").asText())
          .isEqualTo("shpat_from_the_vault");
      assertThat(Airbyte.getSecret("SHOP_API_KEY")).hasToString("****");
    } finally {
      SecretSources.reset();
      delete(SHOP_CACHE);
    }
    ReadmeBlock.assertInReadme(ReadmeCacheExampleIT.class);
  }

  private static void delete(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }
}
