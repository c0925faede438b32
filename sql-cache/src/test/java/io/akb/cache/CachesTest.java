package io.akb.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.runtime.AkbException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CachesTest {
  @Test
  void aNamedCacheLivesInItsOwnFolderUnderDotCache() {
    assertThat(Caches.localCacheLocation("users_cache", null))
        .isEqualTo(
            new CacheLocation(
                CacheLocation.Kind.DUCKDB, "./.cache/users_cache/db_users_cache.duckdb"));
    assertThat(Caches.localCacheLocation("b2", Path.of("/data/caches")).target())
        .isEqualTo("/data/caches/db_b2.duckdb");
  }

  @Test
  void anUnnamedCacheGetsANewNameEachTime() {
    String first = Caches.localCacheLocation(null, null).target();
    String second = Caches.localCacheLocation("", null).target();

    assertThat(first).matches("\\./\\.cache/([a-z0-9]{32})/db_\\1\\.duckdb");
    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void aNameWithSpacesOrPunctuationIsRefusedAsPyAirbyteDoes() {
    assertThatThrownBy(() -> Caches.newLocalCache("my cache"))
        .isInstanceOf(AkbException.class)
        .hasMessage(
            "opening local cache 'my cache' failed: a cache name cannot contain spaces. Use a"
                + " name such as users_cache.");
    assertThatThrownBy(() -> Caches.newLocalCache("../etc"))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining(
            "a cache name can only contain alphanumeric characters and underscores");
  }
}
